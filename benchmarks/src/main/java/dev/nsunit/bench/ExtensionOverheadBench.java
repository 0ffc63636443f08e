package dev.nsunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.NsunitProperties;
import dev.nsunit.internal.ns.NamespacePool;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * Per-test overhead of {@code @NoNetwork} and {@code @BridgeNetwork} against a plain JUnit test,
 * with the namespace pool on (its default size) and off ({@code nsunit.pool.size=0}). Each
 * fixture runs {@value #TESTS} repetitions through the JUnit Platform in one JVM, interleaved
 * with the others, twice, after a warm-up round. Three numbers per fixture:
 *
 * <ul>
 *   <li><b>wait</b>: from JUnit's "started" event to the first line of the test body (building
 *       the namespace, resolving the parameter, entering the namespace);
 *   <li><b>test</b>: from "started" to "finished" (also closing the namespace);
 *   <li><b>throughput</b>: the fixture's wall time divided by its tests, in ms per test: for
 *       back-to-back empty tests, compare it with the C floor's creation rate (about 0.45 ms per
 *       namespace, {@code shared/bench}).
 * </ul>
 *
 * <p>"empty" fixtures do nothing; "2ms" fixtures sleep 2 ms, as a test that does some I/O does,
 * which leaves the pool time to refill. Run as root:
 *
 * <pre>
 * java -cp benchmarks/target/nsunit-bench.jar dev.nsunit.bench.ExtensionOverheadBench
 * </pre>
 */
public final class ExtensionOverheadBench {
  static final int TESTS = 1000;
  /** When the running test's body began, by {@link System#nanoTime()}; tests run one at a time. */
  static volatile long bodyStarted;

  /** A test that does nothing, without nsunit. */
  public static class PlainTestCase {
    @RepeatedTest(TESTS)
    void test() {
      bodyStarted = System.nanoTime();
    }
  }

  /** The same with a fresh {@code --network none} namespace per test. */
  @NoNetwork
  public static class NoNetworkTestCase {
    @RepeatedTest(TESTS)
    void test(NetworkNamespace ns) {
      bodyStarted = System.nanoTime();
    }
  }

  /** The same with a bridge endpoint (veth, address, routes) per test. */
  @BridgeNetwork
  public static class BridgeNetworkTestCase {
    @RepeatedTest(TESTS)
    void test(NetworkNamespace ns) {
      bodyStarted = System.nanoTime();
    }
  }

  /** A plain test that takes 2 ms. */
  public static class Plain2msTestCase {
    @RepeatedTest(TESTS)
    void test() throws InterruptedException {
      bodyStarted = System.nanoTime();
      Thread.sleep(2);
    }
  }

  /** {@code @NoNetwork}, 2 ms. */
  @NoNetwork
  public static class NoNetwork2msTestCase {
    @RepeatedTest(TESTS)
    void test(NetworkNamespace ns) throws InterruptedException {
      bodyStarted = System.nanoTime();
      Thread.sleep(2);
    }
  }

  /** {@code @BridgeNetwork}, 2 ms. */
  @BridgeNetwork
  public static class BridgeNetwork2msTestCase {
    @RepeatedTest(TESTS)
    void test(NetworkNamespace ns) throws InterruptedException {
      bodyStarted = System.nanoTime();
      Thread.sleep(2);
    }
  }

  /** One row: a fixture class with a pool size ({@code null}: no nsunit). */
  private record Row(String name, Class<?> fixture, String poolSize) {}

  /** What one row measured, over every round. */
  private static final class Times {
    final List<Long> waits = Collections.synchronizedList(new ArrayList<>());
    final List<Long> tests = Collections.synchronizedList(new ArrayList<>());
    long wallNanos;
    int count;

    double msPerTest() {
      return wallNanos / 1e6 / count;
    }
  }

  private ExtensionOverheadBench() {}

  /**
   * Runs the fixtures, interleaved twice after a warm-up round, and prints a table. Arguments of
   * the form {@code key=value} are passed to every run as configuration parameters, e.g.
   * {@code nsunit.escapes=off} to see what the escape check costs; two are the benchmark's own:
   * {@code only=TEXT} runs only the fixtures whose name contains it (and the plain ones), and
   * {@code profile} samples where JUnit's thread waits instead of printing the table (see
   * {@link #profile}; {@code -Ddepth=N} shows N nsunit methods per sample, default 2).
   */
  public static void main(String[] args) {
    Map<String, String> config = new LinkedHashMap<>();
    boolean profile = false;
    String only = "";
    for (String a : args) {
      if (a.equals("profile")) {
        profile = true;
        continue;
      }
      if (a.startsWith("only=")) {
        only = a.substring("only=".length());
        continue;
      }
      int eq = a.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("argument \"" + a + "\" is not key=value, e.g. nsunit.escapes=off");
      }
      config.put(a.substring(0, eq), a.substring(eq + 1));
    }
    Launcher launcher = LauncherFactory.create();
    String pool = String.valueOf(NamespacePool.DEFAULT_SIZE);
    List<Row> rows = List.of(
        new Row("plain empty", PlainTestCase.class, null),
        new Row("none empty, pool 0", NoNetworkTestCase.class, "0"),
        new Row("none empty, pool " + pool, NoNetworkTestCase.class, pool),
        new Row("bridge empty, pool 0", BridgeNetworkTestCase.class, "0"),
        new Row("bridge empty, pool " + pool, BridgeNetworkTestCase.class, pool),
        new Row("plain 2ms", Plain2msTestCase.class, null),
        new Row("none 2ms, pool 0", NoNetwork2msTestCase.class, "0"),
        new Row("none 2ms, pool " + pool, NoNetwork2msTestCase.class, pool),
        new Row("bridge 2ms, pool 0", BridgeNetwork2msTestCase.class, "0"),
        new Row("bridge 2ms, pool " + pool, BridgeNetwork2msTestCase.class, pool));
    String filter = only;
    if (!only.isEmpty()) {
      rows = rows.stream().filter(r -> r.name().startsWith("plain") || r.name().contains(filter)).toList();
    }
    Map<Row, Times> times = new LinkedHashMap<>();
    run(launcher, rows, new LinkedHashMap<>(), config); // warm-up: JIT, jnr stubs, the lab host
    if (profile) {
      profile(launcher, rows.stream().filter(r -> r.name().endsWith("2ms, pool " + pool)).toList(), config);
      return;
    }
    for (int round = 0; round < 2; round++) {
      run(launcher, rows, times, config);
    }
    System.out.println("configuration: " + (config.isEmpty() ? "defaults" : config));
    long[] stats = NamespacePool.shared().stats();
    System.out.printf(Locale.ROOT, "%-22s %5s | %-23s | %-23s | %9s %9s%n", "fixture", "tests",
        "wait ms: med p95 p99", "test ms: med p95 p99", "ms/test", "over plain");
    for (Row r : rows) {
      Times t = times.get(r);
      Times plain = times.entrySet().stream().filter(e -> e.getKey().name().equals(r.name().contains("2ms")
          ? "plain 2ms" : "plain empty")).findFirst().orElseThrow().getValue();
      double perTest = t.msPerTest();
      double plainPerTest = plain.msPerTest();
      System.out.printf(Locale.ROOT, "%-22s %5d | %7.3f %7.3f %7.3f | %7.3f %7.3f %7.3f | %9.3f %9.3f%n", r.name(),
          t.tests.size(), median(t.waits) / 1e6, percentile(t.waits, 0.95) / 1e6,
          percentile(t.waits, 0.99) / 1e6, median(t.tests) / 1e6, percentile(t.tests, 0.95) / 1e6,
          percentile(t.tests, 0.99) / 1e6, perTest, perTest - plainPerTest);
    }
    System.out.printf(Locale.ROOT, "pool takes over the whole run: %d ready, %d not ready%n", stats[0], stats[1]);
  }

  /** When the running test started, by {@link System#nanoTime()} (profile mode). */
  static volatile long testStarted;

  /**
   * The {@code profile} argument: runs {@code rows} four times while a sampler reads the stack of
   * JUnit's thread every {@value #SAMPLE_MICROS} us, and prints where it was, by phase: "wait"
   * (after "started", before the body's first line), "body" and "after" (after the body, until the
   * next test starts). A sample is put under the innermost nsunit method on the stack (or JUnit's,
   * if none), so time spent waiting for another thread counts where it is waited for.
   */
  private static void profile(Launcher launcher, List<Row> rows, Map<String, String> config) {
    Thread junit = Thread.currentThread();
    Map<String, Map<String, Integer>> where = new ConcurrentHashMap<>();
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler = new Thread(() -> {
      while (!done.get()) {
        LockSupport.parkNanos(SAMPLE_MICROS * 1_000L);
        long started = testStarted;
        long body = bodyStarted;
        StackTraceElement[] stack = junit.getStackTrace();
        String phase = started == 0 ? "between" : body < started ? "wait" : "body/after";
        where.computeIfAbsent(phase, k -> new ConcurrentHashMap<>()).merge(frame(stack), 1,
            Integer::sum);
      }
    }, "sampler");
    sampler.setDaemon(true);
    sampler.start();
    Map<Row, Times> times = new LinkedHashMap<>();
    for (int i = 0; i < 4; i++) {
      run(launcher, rows, times, config);
    }
    done.set(true);
    for (Map.Entry<String, Map<String, Integer>> phase : where.entrySet()) {
      int total = phase.getValue().values().stream().mapToInt(Integer::intValue).sum();
      System.out.printf(Locale.ROOT, "%s: %d samples%n", phase.getKey(), total);
      phase.getValue().entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(25)
          .forEach(e -> System.out.printf(Locale.ROOT, "  %5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
    }
  }

  static final int SAMPLE_MICROS = 500;
  static final int PROFILE_DEPTH = Integer.getInteger("depth", 2);

  /**
   * The innermost nsunit method (not the benchmark's) and the nsunit method that called it, else
   * the innermost JUnit one, else the top.
   */
  private static String frame(StackTraceElement[] stack) {
    List<String> nsunit = new ArrayList<>();
    for (StackTraceElement e : stack) {
      String c = e.getClassName();
      if (c.startsWith("dev.nsunit.") && !c.startsWith("dev.nsunit.bench.") && !c.endsWith(".Futures")) {
        String m = c.substring(c.lastIndexOf('.') + 1) + "." + e.getMethodName();
        if (nsunit.isEmpty() || !nsunit.get(nsunit.size() - 1).equals(m)) {
          nsunit.add(m);
        }
        if (nsunit.size() == PROFILE_DEPTH) {
          break;
        }
      }
    }
    if (!nsunit.isEmpty()) {
      return String.join(" <- ", nsunit);
    }
    for (StackTraceElement e : stack) {
      if (e.getClassName().startsWith("org.junit.")) {
        return "(junit) " + e.getClassName().substring(e.getClassName().lastIndexOf('.') + 1) + "." + e.getMethodName();
      }
    }
    return stack.length == 0 ? "?" : stack[0].getClassName() + "." + stack[0].getMethodName();
  }

  private static void run(Launcher launcher, List<Row> rows, Map<Row, Times> times, Map<String, String> config) {
    for (Row r : rows) {
      LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request().selectors(selectClass(r.fixture()))
          .configurationParameters(config);
      request.configurationParameter(NsunitProperties.POOL_SIZE, r.poolSize() == null ? "0" : r.poolSize());
      Times t = times.computeIfAbsent(r, k -> new Times());
      long begin = System.nanoTime();
      time(launcher, request.build(), r.name(), t.tests, t.waits);
      t.wallNanos += System.nanoTime() - begin;
      t.count += TESTS;
    }
  }

  /**
   * Runs {@code request} and returns each test's time from JUnit's "started" to "finished".
   *
   * @throws IllegalStateException if any test or container failed
   */
  static List<Long> time(Launcher launcher, LauncherDiscoveryRequest request, String what) {
    List<Long> durations = Collections.synchronizedList(new ArrayList<>());
    time(launcher, request, what, durations, null);
    return durations;
  }

  /**
   * Runs {@code request}, adding each test's time from JUnit's "started" to "finished" to
   * {@code durations} and, if {@code waits} is not null, from "started" to {@link #bodyStarted}.
   *
   * @throws IllegalStateException if any test or container failed
   */
  static void time(Launcher launcher, LauncherDiscoveryRequest request, String what, List<Long> durations,
      List<Long> waits) {
    Map<String, Long> started = new ConcurrentHashMap<>();
    int[] failed = {0};
    launcher.execute(request, new TestExecutionListener() {
      @Override
      public void executionStarted(TestIdentifier id) {
        if (id.isTest()) {
          long now = System.nanoTime();
          testStarted = now;
          started.put(id.getUniqueId(), now);
        }
      }

      @Override
      public void executionFinished(TestIdentifier id, TestExecutionResult result) {
        if (id.isTest()) {
          long begin = started.remove(id.getUniqueId());
          durations.add(System.nanoTime() - begin);
          if (waits != null) {
            waits.add(bodyStarted - begin);
          }
        }
        if (result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
          failed[0]++;
          result.getThrowable().ifPresent(Throwable::printStackTrace);
        }
      }
    });
    if (failed[0] > 0) {
      throw new IllegalStateException(failed[0] + " tests or containers of " + what + " failed");
    }
  }

  static double median(List<Long> values) {
    return percentile(values, 0.5);
  }

  static double percentile(List<Long> values, double p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    double rank = p * (sorted.size() - 1);
    int lo = (int) Math.floor(rank);
    int hi = (int) Math.ceil(rank);
    return sorted.get(lo) + (sorted.get(hi) - sorted.get(lo)) * (rank - lo);
  }
}
