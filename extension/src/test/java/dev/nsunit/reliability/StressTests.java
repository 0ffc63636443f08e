package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.NamespacePool;
import dev.nsunit.model.Link;
import dev.nsunit.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import javax.management.ObjectName;
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
  /**
   * Kernel teardown is asynchronous and batched (and slower under load): the counts are read
   * again until they are back, for at most this long. A bound for a leak that never goes away,
   * not a speed promise.
   */
  private static final Duration SETTLE_BOUND = Duration.ofSeconds(30);
  /**
   * Live objects that one class of nsunit or JUnit may gain over the run. A leak of anything
   * once per test of either half adds SEQUENTIAL / 2 or more; a bounded pool or cache stays far
   * below. Measured: at most 4 (enum constants and lambdas of code that first ran in the run).
   */
  private static final long LIVE_OBJECT_NOISE = SEQUENTIAL / 4;
  /**
   * Live bytes the whole heap may gain over the run. JDK strings and tables filled by code that
   * runs for the first time grow it without a leak: measured +0.3 MiB after 1,000 tests and
   * +0.55 MiB after 10,000, so not in proportion to the tests. 4 MiB is several times that, and
   * still catches a leak of 4 KiB per test by default (one netlink receive buffer is 32 KiB),
   * 400 bytes per test with {@code -Dnsunit.stress.full=true}.
   */
  private static final long LIVE_BYTES_NOISE = 4L * 1024 * 1024;

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
    // the maker and capture threads (and their descriptors) end after a second without work:
    // both readings wait for them, so neither depends on how long ago the last test ran
    Counts before = Await.until("the lab's veths of earlier tests and the idle maker thread to go", SETTLE_BOUND,
        Counts::now, c -> c.labVeths.isEmpty() && c.threads.stream().noneMatch(Counts::isMaker),
        c -> "lab veths " + c.labVeths + ", nsunit threads " + c.threads);
    LiveObjects liveBefore = LiveObjects.count();

    EngineTestKit.engine("junit-jupiter").selectors(selectClass(SequentialTestCase.class)).execute()
        .testEvents().assertStatistics(s -> s.started(SEQUENTIAL).succeeded(SEQUENTIAL));
    assertThat(sequentialRuns.get()).isEqualTo(SEQUENTIAL);

    Await.until("the run's descriptors, threads, namespaces and veths to go", SETTLE_BOUND, Counts::now,
        c -> c.leaksSince(before).isEmpty(), c -> c.leaksSince(before));

    // live objects, counted after a full GC; heap "used" would also move with what the
    // collector happens to leave in partly filled regions
    LiveObjects liveAfter = LiveObjects.count();
    assertThat(liveBefore.grownBy(liveAfter, LIVE_OBJECT_NOISE, "dev.nsunit.", "org.junit."))
        .as("nsunit and JUnit classes with more than %d more live objects after %d tests (before -> after)",
            LIVE_OBJECT_NOISE, SEQUENTIAL).isEmpty();
    assertThat(liveAfter.bytes).as("live heap bytes after %d tests; before: %d", SEQUENTIAL, liveBefore.bytes)
        .isLessThanOrEqualTo(liveBefore.bytes + LIVE_BYTES_NOISE);
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
    @SuppressWarnings("ThreadPriorityCheck") // a hint only: the test counts overlap, it does not rely on it
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

  /** What a run could leak, as the kernel and the JVM show it. */
  static final class Counts {
    /** Descriptors of the kinds a test could leak (see {@link #leakable}), fd number to target. */
    Map<String, String> fds;
    Set<String> threads;
    Set<String> labVeths;
    Set<String> heldNamespaces;

    /**
     * nsunit's shared threads that start on demand and end after a second idle: the namespace
     * maker, and the packet capture (with its eventfd).
     */
    static boolean isMaker(String threadName) {
      return threadName.startsWith("nsunit-maker-") || threadName.equals("nsunit-capture");
    }

    static Counts now() {
      try {
        return read();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private static Counts read() throws IOException {
      Counts c = new Counts();
      Set<String> unixSockets = unixSocketInodes();
      c.fds = new TreeMap<>();
      Path fdDir = Path.of("/proc/self/fd");
      try (var s = Files.list(fdDir)) {
        for (Path p : (Iterable<Path>) s::iterator) {
          try {
            String target = Files.readSymbolicLink(p).toString();
            if (leakable(target, unixSockets)) {
              c.fds.put(p.getFileName().toString(), target);
            }
          } catch (IOException gone) {
            // closed meanwhile, e.g. the listing's own descriptor
          }
        }
      }
      c.threads = Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
          .filter(n -> n.startsWith("nsunit-") && !n.startsWith("nsunit-lab-host") && !n.startsWith("nsunit-outside-world"))
          .collect(Collectors.toSet());
      c.labVeths = Lab.get().netns().rtnetlink().links().stream()
          .filter(l -> l.kind().filter("veth"::equals).isPresent() && !l.name().startsWith("nsunit-")) // the lab's own
          .map(Link::name).collect(Collectors.toSet());
      Set<String> mine = new HashSet<>();
      mine.add(Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString());
      mine.add("net:[" + Lab.get().netns().id().inode() + "]");
      Lab.get().ownedNamespaces().forEach(o -> mine.add("net:[" + o.id().inode() + "]")); // live with the lab
      mine.add("net:[" + NamespacePool.nurseryInode() + "]"); // new namespaces are made from it, for the JVM's life
      c.heldNamespaces = new TreeSet<>();
      for (Path dir : List.of(fdDir, Path.of("/proc/self/task"))) {
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
      return c;
    }

    /**
     * What nsunit opens per test: namespace descriptors, netlink and inet sockets, pipes and
     * anonymous inodes (eventfd, epoll). Not what the JVM opens lazily on its own, whatever the
     * tests do: jars, {@code /dev/urandom}, and the JDK's own Unix-domain sockets.
     */
    static boolean leakable(String target, Set<String> unixSockets) {
      if (target.startsWith("socket:[")) {
        return !unixSockets.contains(target.substring("socket:[".length(), target.length() - 1));
      }
      return target.startsWith("net:[") || target.startsWith("pipe:[") || target.startsWith("anon_inode:");
    }

    /** The inodes of the Unix-domain sockets in the JVM's own namespace. */
    private static Set<String> unixSocketInodes() throws IOException {
      // /proc/self/net is the namespace of the JVM's first thread, whichever thread reads it
      return Files.readAllLines(Path.of("/proc/self/net/unix")).stream().skip(1)
          .map(l -> l.trim().split("\\s+")).filter(f -> f.length > 6).map(f -> f[6]).collect(Collectors.toSet());
    }

    /** Everything that differs from {@code baseline} in a way a leak would; empty when nothing leaked. */
    List<String> leaksSince(Counts baseline) {
      List<String> leaks = new ArrayList<>();
      Map<String, String> newFds = new TreeMap<>(fds);
      newFds.entrySet().removeIf(e -> e.getValue().equals(baseline.fds.get(e.getKey())));
      if (!newFds.isEmpty()) {
        leaks.add("descriptors opened since the baseline and still open (fd=target): " + newFds);
      }
      if (!threads.equals(baseline.threads)) {
        leaks.add("nsunit threads: " + threads + ", before the run: " + baseline.threads);
      }
      if (!labVeths.isEmpty()) {
        leaks.add("lab veths: " + labVeths);
      }
      if (!heldNamespaces.isEmpty()) {
        leaks.add("namespaces our descriptors or threads hold, besides host and lab: " + heldNamespaces);
      }
      return leaks;
    }
  }

  /** Live objects per class and in all, from HotSpot's {@code GC.class_histogram} (which collects first). */
  static final class LiveObjects {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
    final Map<String, Long> instances = new HashMap<>();
    long bytes;

    static LiveObjects count() throws Exception {
      // objects with finalizers (e.g. the JDK's single-thread executors) outlive the first GC that
      // finds them unreachable, with all they reference: let them go first
      System.gc();
      System.runFinalization();
      String histogram = (String) ManagementFactory.getPlatformMBeanServer().invoke(
          new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
          new Object[] {new String[0]}, new String[] {String[].class.getName()});
      LiveObjects live = new LiveObjects();
      for (String line : histogram.split("\n", -1)) {
        Matcher m = ROW.matcher(line);
        if (m.find()) {
          live.instances.merge(m.group(3), Long.parseLong(m.group(1)), Long::sum);
          live.bytes += Long.parseLong(m.group(2));
        }
      }
      if (live.instances.isEmpty()) {
        throw new IllegalStateException("GC.class_histogram printed no rows: " + histogram);
      }
      return live;
    }

    /** Classes under {@code prefixes} with more than {@code noise} more objects in {@code after}: "class before -> after". */
    List<String> grownBy(LiveObjects after, long noise, String... prefixes) {
      List<String> grown = new ArrayList<>();
      new TreeMap<>(after.instances).forEach((cls, n) -> {
        long was = instances.getOrDefault(cls, 0L);
        if (n - was > noise && Arrays.stream(prefixes).anyMatch(cls::startsWith)) {
          grown.add(cls + " " + was + " -> " + n);
        }
      });
      return grown;
    }
  }
}
