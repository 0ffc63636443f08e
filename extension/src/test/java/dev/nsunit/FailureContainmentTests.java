package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.model.Link;
import dev.nsunit.testing.Await;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * A test that throws, hangs past its {@code @Timeout} or leaves threads running in its
 * namespace does not affect the next one: each namespace is still closed, and leaked threads
 * fail the test that leaked them with a report.
 */
class FailureContainmentTests {
  static final Map<String, NetworkNamespace> SEEN = new ConcurrentHashMap<>();
  static final CountDownLatch STOP_LEAKED = new CountDownLatch(1);
  static final CountDownLatch LEAKED_RUNNING = new CountDownLatch(2);
  static volatile ServerSocket leakedSocket;
  static volatile Thread leakedPlain;
  static volatile Thread leakedFactory;

  static class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Boom() {
      super("boom");
    }
  }

  @NoNetwork
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class MisbehavingTestCase {
    @Test
    @Order(1)
    void throwsWhileHoldingAPort(NetworkNamespace ns) throws Exception {
      SEEN.put("throws", ns);
      // never closed by the test; the outer test closes it so the JVM is clean for the leak check
      leakedSocket = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress());
      throw new Boom();
    }

    @Test
    @Order(2)
    @Timeout(value = 200, unit = TimeUnit.MILLISECONDS)
    void hangsAndIgnoresTheFirstInterrupt(NetworkNamespace ns) {
      SEEN.put("hangs", ns);
      long until = System.nanoTime() + 700_000_000L;
      while (System.nanoTime() < until) {
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          // ignored on purpose, for a while
        }
      }
    }

    @Test
    @Order(3)
    void leavesThreadsRunning(NetworkNamespace ns) {
      SEEN.put("leaks", ns);
      Runnable park = () -> {
        LEAKED_RUNNING.countDown();
        try {
          STOP_LEAKED.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      };
      leakedFactory = ns.threadFactory().newThread(park);
      leakedFactory.start();
      leakedPlain = new Thread(park, "plain-leak");
      leakedPlain.start();
      // returning before they run would race the close: a factory thread that first runs after
      // it fails at once ("is closed") and leaks nothing
      Await.until("both threads to run", () -> LEAKED_RUNNING.getCount() == 0);
    }

    @Test
    @Order(4)
    void runsNormallyAfterwards(NetworkNamespace ns) throws Exception {
      SEEN.put("next", ns);
      assertThat(ns.links()).extracting(Link::name).containsExactly("lo");
      assertThat(ns.sockets()).isEmpty();
      try (ServerSocket s = new ServerSocket(8080, 50, InetAddress.getLoopbackAddress())) {
        assertThat(s.getLocalPort()).isEqualTo(8080);
      }
    }
  }

  @Test
  void eachFailureStaysWithItsTestAndEveryNamespaceIsClosed() throws Exception {
    try {
      Events tests = EngineTestKit.engine("junit-jupiter").selectors(selectClass(MisbehavingTestCase.class))
          .execute().testEvents();
      tests.assertStatistics(s -> s.started(4).succeeded(1).failed(3));
      assertThat(failure(tests, "throwsWhileHoldingAPort")).isExactlyInstanceOf(Boom.class);
      assertThat(failure(tests, "hangsAndIgnoresTheFirstInterrupt")).isExactlyInstanceOf(TimeoutException.class);
      Throwable leak = failure(tests, "leavesThreadsRunning").getCause(); // JUnit: "Failed to close extension context"
      String ns = SEEN.get("leaks").toString();
      assertThat(leak).isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("test leavesThreadsRunning left 2 thread(s) running in " + ns + " after it ended: [")
          .hasMessageContaining("\"plain-leak\"")
          .hasMessageContaining("\"" + leakedFactory.getName() + "\"") // the Java name, not the kernel's 15 characters
          .hasMessageContaining("nsunit closed the namespace's descriptors, but each of these threads keeps the namespace"
              + " alive until it exits. Stop threads you start (interrupt and join them)");
      assertThat(SEEN.values()).hasSize(4).allSatisfy(n -> assertThat(n.isClosed()).isTrue());
      assertThat(SEEN.values().stream().map(n -> n.id()).distinct()).hasSize(4);
      // the failing tests' namespaces are gone from our descriptors and threads, except the one
      // the leaked threads still pin
      assertThat(namespaceFds()).doesNotContain(inodes("throws", "hangs", "next", "leaks"));
    } finally {
      if (leakedSocket != null) {
        leakedSocket.close();
      }
      STOP_LEAKED.countDown();
      if (leakedPlain != null) {
        leakedPlain.join();
        leakedFactory.join();
      }
    }
  }

  static Throwable failure(Events tests, String method) {
    Event e = tests.failed().stream().filter(x -> x.getTestDescriptor().getDisplayName().startsWith(method + "("))
        .findFirst().orElseThrow(() -> new AssertionError("no failure for " + method));
    return e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  static String[] inodes(String... keys) {
    return Arrays.stream(keys).map(k -> "net:[" + SEEN.get(k).id().inode() + "]").toArray(String[]::new);
  }

  static List<String> namespaceFds() throws Exception {
    try (var s = Files.list(Path.of("/proc/self/fd"))) {
      return s.map(p -> {
        try {
          return Files.readSymbolicLink(p).toString();
        } catch (Exception e) {
          return "";
        }
      }).filter(t -> t.startsWith("net:")).collect(Collectors.toList());
    }
  }

}
