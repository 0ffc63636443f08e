package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.Link;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Many tests in a row, and many at once, leave counts where they were. Sizes: by default 1,000
 * sequential tests and 4-way parallel runs of 250 (a few seconds each), or, with
 * {@code -Dnsunit.stress.full=true}, the 10,000 and 4 x 1,000.
 */
class StressTests {
  static final boolean FULL = Boolean.getBoolean("nsunit.stress.full");
  static final int SEQUENTIAL = FULL ? 10_000 : 1_000;
  static final int PARALLEL = FULL ? 1_000 : 250;
  static final int PARALLELISM = 4;
  private static final long SETTLE_MILLIS = 5_000; // kernel teardown is asynchronous and batched
  // per-CPU slab accounting moves the counter by a dozen or more on its own; a leak of one
  // namespace per 20 tests still shows
  private static final long SLAB_NOISE = Math.max(32, SEQUENTIAL / 20);

  static final AtomicInteger sequentialRuns = new AtomicInteger();

  static class SequentialTestCase {
    static IntStream half() {
      return IntStream.rangeClosed(1, SEQUENTIAL / 2);
    }

    @ParameterizedTest
    @MethodSource("half")
    @NoNetwork
    void none(int i, NetworkNamespace ns) {
      if (ns.links().size() != 1) {
        throw new AssertionError("expected only lo: " + ns.links());
      }
      sequentialRuns.incrementAndGet();
    }

    @ParameterizedTest
    @MethodSource("half")
    @BridgeNetwork
    void bridge(int i, NetworkNamespace ns) {
      if (ns.link("eth0").isEmpty()) {
        throw new AssertionError("no eth0: " + ns.links());
      }
      sequentialRuns.incrementAndGet();
    }
  }

  static class WarmUpTestCase {
    @Test
    @NoNetwork
    void none(NetworkNamespace ns) {}

    @Test
    @BridgeNetwork
    void bridge(NetworkNamespace ns) {}
  }

  @Test
  void sequentialTestsLeaveNoDescriptorsThreadsNamespacesVethsOrHeapBehind() throws Exception {
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(WarmUpTestCase.class)).execute()
        .testEvents().assertStatistics(s -> s.succeeded(2)); // loads classes, makes the lab and its bridge
    boolean quiet = NetNamespaceSlab.quiet();
    Counts before = Counts.settled(null);

    EngineTestKit.engine("junit-jupiter").selectors(selectClass(SequentialTestCase.class)).execute()
        .testEvents().assertStatistics(s -> s.started(SEQUENTIAL).succeeded(SEQUENTIAL));
    assertThat(sequentialRuns.get()).isEqualTo(SEQUENTIAL);

    Counts after = Counts.settled(before);
    assertThat(after.fds).as("open descriptors").isEqualTo(before.fds);
    assertThat(after.threads).as("nsunit threads").isEqualTo(before.threads);
    assertThat(after.labVeths).as("lab veths").isEmpty();
    assertThat(after.heldNamespaces).as("namespaces our descriptors or threads hold, besides host and lab").isEmpty();
    // machine-wide and approximate (see CrashSafetyTests): other processes on the machine count too;
    // the tolerance catches a leak of one namespace per 100 tests, the precise views are above
    if (quiet && NetNamespaceSlab.quiet()) {
      assertThat(after.netNamespaces).as("net_namespace objects").isLessThanOrEqualTo(before.netNamespaces + SLAB_NOISE);
    }
    assertThat(after.heapBytes).as("heap after GC").isLessThanOrEqualTo(before.heapBytes + 16L * 1024 * 1024);
  }

  static final Map<Integer, String> answers = new ConcurrentHashMap<>();
  static final AtomicInteger inFlight = new AtomicInteger();
  static final AtomicInteger maxInFlight = new AtomicInteger();

  static class ParallelTestCase {
    static IntStream ids() {
      return IntStream.rangeClosed(1, PARALLEL);
    }

    @ParameterizedTest
    @MethodSource("ids")
    @NoNetwork
    void everyTestServesPort8080(int n, NetworkNamespace ns) throws Exception {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        String id = "test " + n;
        InetAddress lo = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(8080, 50, lo); Socket client = new Socket(lo, 8080);
            Socket served = server.accept(); OutputStream out = served.getOutputStream()) {
          Thread.yield(); // give the other tests' servers a chance to be up at the same time
          out.write(id.getBytes(StandardCharsets.UTF_8));
          served.shutdownOutput();
          try (InputStream in = client.getInputStream()) {
            answers.put(n, new String(in.readAllBytes(), StandardCharsets.UTF_8));
          }
        }
      } finally {
        inFlight.decrementAndGet();
      }
    }
  }

  @Test
  void parallelTestsAllBindingPort8080HearOnlyThemselves() {
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(ParallelTestCase.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", Integer.toString(PARALLELISM))
        .execute().testEvents().assertStatistics(s -> s.started(PARALLEL).succeeded(PARALLEL));
    assertThat(maxInFlight.get()).as("tests that ran at the same time").isGreaterThan(1);
    assertThat(answers).hasSize(PARALLEL);
    List<Integer> crossTalk = answers.entrySet().stream().filter(e -> !e.getValue().equals("test " + e.getKey()))
        .map(Map.Entry::getKey).collect(Collectors.toList());
    assertThat(crossTalk).as("tests that heard another test's server").isEmpty();
  }

  /** What a run could leak, in numbers. */
  static final class Counts {
    int fds;
    Set<String> threads;
    Set<String> labVeths;
    Set<String> heldNamespaces;
    long netNamespaces;
    long heapBytes;

    static Counts now() throws IOException {
      Counts c = new Counts();
      try (var s = Files.list(Path.of("/proc/self/fd"))) {
        c.fds = (int) s.count();
      }
      c.threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
          .filter(n -> n.startsWith("nsunit-") && !n.startsWith("nsunit-lab-host")).collect(Collectors.toSet());
      c.labVeths = Lab.get().netns().rtnetlink().links().stream().filter(l -> l.kind().filter("veth"::equals).isPresent())
          .map(Link::name).collect(Collectors.toSet());
      c.netNamespaces = NetNamespaceSlab.objects();
      Set<String> mine = new HashSet<>();
      mine.add(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
      mine.add("net:[" + Lab.get().netns().id().inode() + "]");
      c.heldNamespaces = new TreeSet<>();
      for (Path dir : List.of(Path.of("/proc/self/fd"), Path.of("/proc/self/task"))) {
        try (var s = Files.list(dir)) {
          for (Path p : (Iterable<Path>) s::iterator) {
            try {
              String t = Files.readSymbolicLink(dir.endsWith("task") ? p.resolve("ns/net") : p).toString();
              if (t.startsWith("net:") && !mine.contains(t)) {
                c.heldNamespaces.add(p + " -> " + t);
              }
            } catch (IOException gone) {
              // closed or exited meanwhile
            }
          }
        }
      }
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      c.heapBytes = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      return c;
    }

    /** Counts once the kernel and the JVM have caught up (or the wait is over), compared to {@code baseline}. */
    static Counts settled(Counts baseline) throws Exception {
      long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
      while (true) {
        Counts c = now();
        boolean done = baseline == null
            ? c.labVeths.isEmpty()
            : c.labVeths.isEmpty() && c.fds <= baseline.fds && c.threads.equals(baseline.threads)
                && c.heldNamespaces.isEmpty() && c.netNamespaces <= baseline.netNamespaces + SLAB_NOISE;
        if (done || System.nanoTime() > deadline) {
          return c;
        }
        Thread.sleep(100);
      }
    }
  }
}
