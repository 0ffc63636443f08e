package dev.nsunit.assertions;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static dev.nsunit.testing.Ip.ip;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code within(...)}: assertions that wait for the network to settle. State changes arrive from
 * a scheduled task while the assertion waits (no sleeps in the test); the bounds on time are
 * generous, and nothing depends on speed: the passing cases prove the state was wrong when the
 * assertion began, the failing ones that it tried more than once and says so.
 */
class RetryingAssertionsTests {
  static final Duration PATIENT = Duration.ofSeconds(20);
  static final long LATER_MILLIS = 300;
  private static TwoHosts hosts;
  private ScheduledExecutorService later;

  @BeforeAll
  static void topology() {
    hosts = new TwoHosts();
  }

  @AfterAll
  static void cleanup() {
    hosts.close();
  }

  @BeforeEach
  void scheduler() {
    later = Executors.newSingleThreadScheduledExecutor();
  }

  @AfterEach
  void stopScheduler() throws InterruptedException {
    later.shutdownNow();
    assertThat(later.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private ScheduledFuture<?> afterAWhile(Runnable change) {
    return later.schedule(change, LATER_MILLIS, TimeUnit.MILLISECONDS);
  }

  @Test
  void waitsForAnInterfaceToAppearAndComeUp() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("settling")) {
      assertThat(ns.link("v0")).isEmpty();
      ScheduledFuture<?> change = afterAWhile(() -> {
        ip(ns.path(), "link", "add", "v0", "type", "veth", "peer", "name", "v1");
        ip(ns.path(), "link", "set", "v0", "up");
        ip(ns.path(), "link", "set", "v1", "up");
      });
      assertThat(ns).within(PATIENT).hasInterface("v0").isUp().and().hasInterfaces("lo", "v0", "v1");
      change.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void waitsForAListenerAndForReachability() throws Exception {
    AtomicReference<ServerSocket> server = new AtomicReference<>();
    ScheduledFuture<?> change = afterAWhile(() -> {
      try {
        server.set(hosts.b.serverSocketFactory().createServerSocket(7070));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    try {
      assertThat(hosts.b).isNotListeningOn(7070);
      assertThat(hosts.b).within(PATIENT).isListeningOn(7070);
      assertThat(hosts.a).within(PATIENT).canReach("192.0.2.2", 7070);
      change.get(10, TimeUnit.SECONDS);
    } finally {
      if (server.get() != null) {
        server.get().close();
      }
    }
  }

  @Test
  void waitsForAnAddressToBeReachable() throws Exception {
    assertThat(hosts.a).cannotReach("192.0.2.77");
    ScheduledFuture<?> change = afterAWhile(() -> ip(hosts.b.path(), "addr", "add", "192.0.2.77/32", "dev", "eth0"));
    try {
      assertThat(hosts.a).within(PATIENT).canReach("192.0.2.77");
      change.get(10, TimeUnit.SECONDS);
    } finally {
      ip(hosts.b.path(), "addr", "del", "192.0.2.77/32", "dev", "eth0");
    }
  }

  @Test
  void onTimeOutTheLastFailureComesWithItsEvidenceAndTheTries() {
    assertThatThrownBy(() -> assertThat(hosts.a).within(Duration.ofMillis(400)).hasInterface("eth9"))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("eth9")
        .hasMessageContaining("192.0.2.1/24")                          // the evidence: ip addr of a
        .hasMessageContaining(" times in ")
        .hasMessageContaining("within(PT0.4S)")
        .satisfies(e -> assertThat(Integer.parseInt(e.getMessage().replaceFirst("(?s).*\\(tried (\\d+) times.*", "$1")))
            .as("more than one try").isGreaterThan(1));
  }

  @Test
  void assertJsOwnChecksAndDescriptionsWorkToo() {
    assertThat(hosts.a).within(PATIENT).isNotNull().hasInterface("eth0").isUp();
    assertThatThrownBy(() -> assertThat(hosts.a).within(Duration.ofMillis(200)).as("the web").hasInterface("eth9"))
        .hasMessageContaining("[the web]");
  }

  @Test
  void everyAssertionOfTheModuleIsRetried() {
    ip(hosts.a.path(), "route", "replace", "default", "via", "192.0.2.2");
    try (ServerSocket server = hosts.a.serverSocketFactory().createServerSocket(7071)) {
      NamespaceAssert root = assertThat(hosts.a).within(PATIENT);
      List<Object> proxies = List.of(root, root.hasInterface("eth0"), root.hasDefaultRoute(), root.isListeningOn(7071),
          root.cannotReach("198.18.0.1"));
      List<String> notIntercepted = new ArrayList<>();
      for (Object proxy : proxies) {
        Class<?> type = proxy.getClass().getSuperclass();
        assertThat(proxy.getClass().getSimpleName()).isEqualTo(type.getSimpleName() + "$Retrying");
        for (Method m : type.getMethods()) {
          int mod = m.getModifiers();
          if (Modifier.isStatic(mod) || Modifier.isFinal(mod) || m.getDeclaringClass() == Object.class) {
            continue;
          }
          boolean overridden = Arrays.stream(proxy.getClass().getDeclaredMethods())
              .anyMatch(p -> p.getName().equals(m.getName()) && Arrays.equals(p.getParameterTypes(), m.getParameterTypes()));
          if (!overridden) {
            notIntercepted.add(type.getSimpleName() + "." + m.getName());
          }
        }
      }
      assertThat(notIntercepted).isEmpty();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      ip(hosts.a.path(), "route", "del", "default");
    }
  }

  @Test
  void misuseIsRefused() {
    assertThatThrownBy(() -> assertThat(hosts.a).within(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("give a positive time");
    NetworkSoftAssertions softly = new NetworkSoftAssertions();
    assertThatThrownBy(() -> softly.assertThat(hosts.a).within(PATIENT))
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("soft assertions");
  }
}
