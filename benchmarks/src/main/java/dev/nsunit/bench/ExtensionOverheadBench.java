package dev.nsunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import java.util.ArrayList;
import java.util.Collections;
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
 * Per-test overhead of {@code @NoNetwork} and {@code @BridgeNetwork} against a plain JUnit test:
 * runs {@value #TESTS} repetitions of each through the JUnit Platform in one JVM and times every
 * test from "started" to "finished" (which includes building the namespace before
 * {@code @BeforeEach} and closing it after {@code @AfterEach}). Run as root:
 *
 * <pre>
 * java -cp benchmarks/target/nsunit-bench.jar dev.nsunit.bench.ExtensionOverheadBench
 * </pre>
 */
public final class ExtensionOverheadBench {
  static final int TESTS = 1000;

  /** A test that does nothing, without nsunit. */
  public static class PlainTestCase {
    @RepeatedTest(TESTS)
    void test() {}
  }

  /** The same with a fresh {@code --network none} namespace per test. */
  @NoNetwork
  public static class NoNetworkTestCase {
    @RepeatedTest(TESTS)
    void test(NetworkNamespace ns) {}
  }

  /** The same with a bridge endpoint (veth, address, routes) per test. */
  @BridgeNetwork
  public static class BridgeNetworkTestCase {
    @RepeatedTest(TESTS)
    void test(NetworkNamespace ns) {}
  }

  private ExtensionOverheadBench() {}

  /** Runs the three fixtures, interleaved twice, and prints a table. */
  public static void main(String[] args) {
    Launcher launcher = LauncherFactory.create();
    Class<?>[] fixtures = {PlainTestCase.class, NoNetworkTestCase.class, BridgeNetworkTestCase.class};
    Map<Class<?>, List<Long>> times = new ConcurrentHashMap<>();
    run(launcher, fixtures, new ConcurrentHashMap<>()); // warm-up: JIT, jnr stubs, the lab host
    for (int round = 0; round < 2; round++) {
      run(launcher, fixtures, times);
    }
    double plain = median(times.get(PlainTestCase.class));
    System.out.printf(Locale.ROOT, "%-16s %6s %10s %10s %12s%n", "fixture", "tests", "median ms", "p95 ms", "overhead ms");
    for (Class<?> f : fixtures) {
      List<Long> t = times.get(f);
      System.out.printf(Locale.ROOT, "%-16s %6d %10.3f %10.3f %12.3f%n", f.getSimpleName().replace("TestCase", ""),
          t.size(), median(t) / 1e6, percentile(t, 0.95) / 1e6, (median(t) - plain) / 1e6);
    }
  }

  private static void run(Launcher launcher, Class<?>[] fixtures, Map<Class<?>, List<Long>> times) {
    for (Class<?> fixture : fixtures) {
      List<Long> durations = time(launcher, LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
          .build(), fixture.getSimpleName());
      times.computeIfAbsent(fixture, k -> Collections.synchronizedList(new ArrayList<>())).addAll(durations);
    }
  }

  /**
   * Runs {@code request} and returns each test's time from JUnit's "started" to "finished".
   *
   * @throws IllegalStateException if any test or container failed
   */
  static List<Long> time(Launcher launcher, LauncherDiscoveryRequest request, String what) {
    List<Long> durations = Collections.synchronizedList(new ArrayList<>());
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
          durations.add(System.nanoTime() - started.remove(id.getUniqueId()));
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
    return durations;
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
