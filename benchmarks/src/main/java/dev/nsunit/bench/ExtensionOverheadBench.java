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
   * {@code nsunit.escapes=off} to see what the escape check costs.
   */
  public static void main(String[] args) {
    Map<String, String> config = new LinkedHashMap<>();
    for (String a : args) {
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
    Map<Row, Times> times = new LinkedHashMap<>();
    run(launcher, rows, new LinkedHashMap<>(), config); // warm-up: JIT, jnr stubs, the lab host
    for (int round = 0; round < 2; round++) {
      run(launcher, rows, times, config);
    }
    System.out.println("configuration: " + (config.isEmpty() ? "defaults" : config));
    long[] stats = NamespacePool.shared().stats();
    System.out.printf(Locale.ROOT, "%-22s %5s | %-23s | %-23s | %9s %9s%n", "fixture", "tests",
        "wait ms: med p95 p99", "test ms: med p95 p99", "ms/test", "over plain");
    for (Row r : rows) {
      Times t = times.get(r);
      Times plain = times.get(rows.get(r.name().contains("2ms") ? 5 : 0));
      double perTest = t.msPerTest();
      double plainPerTest = plain.msPerTest();
      System.out.printf(Locale.ROOT, "%-22s %5d | %7.3f %7.3f %7.3f | %7.3f %7.3f %7.3f | %9.3f %9.3f%n", r.name(),
          t.tests.size(), median(t.waits) / 1e6, percentile(t.waits, 0.95) / 1e6,
          percentile(t.waits, 0.99) / 1e6, median(t.tests) / 1e6, percentile(t.tests, 0.95) / 1e6,
          percentile(t.tests, 0.99) / 1e6, perTest, perTest - plainPerTest);
    }
    System.out.printf(Locale.ROOT, "pool takes over the whole run: %d ready, %d not ready%n", stats[0], stats[1]);
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
          started.put(id.getUniqueId(), System.nanoTime());
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
