package dev.nsunit.internal.leakcheck;

import dev.nsunit.NsunitProperties;
import java.util.List;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestPlan;

/**
 * An opt-in check that a test run leaves nothing behind. Registered through
 * {@code META-INF/services} as a session listener, it adds itself as a test execution listener
 * to the session's launcher (so one instance sees both ends of one session), and does nothing unless
 * {@value NsunitProperties#LEAK_CHECK}{@code =true} is set as a configuration parameter or a
 * system property.
 *
 * <p>When enabled it records a {@link ResourceSnapshot} as the test plan starts (before any test
 * runs) and compares it with the state when the launcher session closes (after every scope,
 * including class-level endpoints, has been closed). Kernel teardown is asynchronous, so it
 * re-reads for up to {@value #SETTLE_MILLIS} ms before it calls anything a leak.
 *
 * <p>How it fails the run: the JUnit Platform logs and swallows exceptions from
 * {@link TestExecutionListener} methods, but not from
 * {@link LauncherSessionListener#launcherSessionClosed}. There it throws an
 * {@link IllegalStateException} whose message lists every difference; Surefire
 * then fails the build with "There was an error in the forked process" and that message. The
 * test results themselves stay green: the leak is the run's, not one test's.
 */
public final class LeakCheckListener implements LauncherSessionListener, TestExecutionListener {
  static final long SETTLE_MILLIS = 2_000;
  private ResourceSnapshot baseline;
  private String netnsPrefix;

  /** Instantiated by the JUnit Platform's ServiceLoader. */
  public LeakCheckListener() {}

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    session.getLauncher().registerTestExecutionListeners(this);
  }

  @Override
  public synchronized void testPlanExecutionStarted(TestPlan testPlan) {
    boolean enabled = testPlan.getConfigurationParameters().getBoolean(NsunitProperties.LEAK_CHECK)
        .orElse(Boolean.getBoolean(NsunitProperties.LEAK_CHECK));
    if (enabled && baseline == null) {
      netnsPrefix = testPlan.getConfigurationParameters().get(NsunitProperties.LEAK_CHECK_NETNS_PREFIX)
          .orElse(System.getProperty(NsunitProperties.LEAK_CHECK_NETNS_PREFIX, ""));
      baseline = ResourceSnapshot.take(netnsPrefix);
    }
  }

  @Override
  public synchronized void launcherSessionClosed(LauncherSession session) {
    if (baseline == null) {
      return;
    }
    ResourceSnapshot start = baseline;
    baseline = null;
    List<String> leaks = settle(start, netnsPrefix);
    if (!leaks.isEmpty()) {
      throw new IllegalStateException(report(leaks));
    }
  }

  /** Re-reads until nothing differs or {@link #SETTLE_MILLIS} have passed; the last differences. */
  static List<String> settle(ResourceSnapshot start, String netnsPrefix) {
    long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
    while (true) {
      List<String> leaks = ResourceSnapshot.take(netnsPrefix).leaksSince(start);
      if (leaks.isEmpty() || System.nanoTime() > deadline) {
        return leaks;
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return leaks;
      }
    }
  }

  static String report(List<String> leaks) {
    StringBuilder sb = new StringBuilder("nsunit leak check (" + NsunitProperties.LEAK_CHECK + "=true): the test run left "
        + leaks.size() + " thing(s) behind, still there " + SETTLE_MILLIS + " ms after the last test:");
    for (String l : leaks) {
      sb.append("\n  - ").append(l);
    }
    return sb.toString();
  }
}
