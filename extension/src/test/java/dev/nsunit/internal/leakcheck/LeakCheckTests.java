package dev.nsunit.internal.leakcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.NsunitProperties;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * The leak check, run as the JUnit Platform runs it: a launcher session over a fixture, with
 * the listener found through META-INF/services. A clean suite passes; a leaky one makes the
 * session's close fail with a report naming each leak.
 */
class LeakCheckTests {

  /**
   * Runs {@code fixture} in a launcher session of its own; {@code summary} records what ran even
   * when the session's close throws the leak report.
   */
  static void runSession(Class<?> fixture, boolean enabled, SummaryGeneratingListener summary) {
    try (LauncherSession session = LauncherFactory.openSession()) {
      session.getLauncher().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(fixture))
          .configurationParameter(NsunitProperties.LEAK_CHECK, Boolean.toString(enabled))
          .configurationParameter(NsunitProperties.LEAK_CHECK_NETNS_PREFIX, "nsu-").build(), summary);
    }
  }

  /**
   * The fixture's one test was found, started and passed: a verdict on the leak check means
   * nothing if the fixture was skipped, aborted or failed on its own.
   */
  static void assertTheFixtureRanAndPassed(SummaryGeneratingListener summary) {
    TestExecutionSummary s = summary.getSummary();
    StringWriter failures = new StringWriter();
    s.printFailuresTo(new PrintWriter(failures), 20);
    String counts = String.format("found %d, started %d, succeeded %d, skipped %d, aborted %d, failed %d",
        s.getTestsFoundCount(), s.getTestsStartedCount(), s.getTestsSucceededCount(), s.getTestsSkippedCount(),
        s.getTestsAbortedCount(), s.getTestsFailedCount());
    assertThat(counts).as("the fixture's tests (failures: %s)", failures)
        .isEqualTo("found 1, started 1, succeeded 1, skipped 0, aborted 0, failed 0");
  }

  @NoNetwork
  static class CleanTestCase {
    @Test
    void usesEverythingAndLetsTheExtensionCloseIt(NetworkNamespace ns) throws Exception {
      ns.start(new ProcessBuilder("sleep", "600"));
      Thread t = ns.threadFactory().newThread(() -> { });
      t.start();
      t.join();
      NetworkNamespace.create("closed by the test").close();
      cleanFixtureFinished = true;
    }
  }

  static volatile boolean cleanFixtureFinished;

  @Test
  void aCleanRunPasses() {
    cleanFixtureFinished = false;
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    assertThatCode(() -> runSession(CleanTestCase.class, true, summary)).doesNotThrowAnyException();
    assertTheFixtureRanAndPassed(summary);
    assertThat(cleanFixtureFinished).as("the fixture's body ran to its end").isTrue();
  }

  static volatile NetworkNamespace leakedNamespace;
  static volatile Process leakedProcess;
  static volatile Lab.Attachment leakedAttachment;
  static volatile CountDownLatch release;

  static class LeakyTestCase {
    @Test
    void leaksANamespaceAProcessAThreadAndALabVeth() throws Exception {
      CountDownLatch latch = new CountDownLatch(1);
      release = latch;
      leakedNamespace = NetworkNamespace.create("leaky");
      leakedProcess = leakedNamespace.start(new ProcessBuilder("sleep", "600"));
      leakedNamespace.threadFactory().newThread(() -> {
        try {
          latch.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }).start();
      Lab lab = Lab.get();
      leakedAttachment = lab.attach("leaky", lab.bridge(IpPrefix.parse("172.17.0.0/16"),
          InetAddresses.parse("172.17.0.1")), null, 1500);
    }
  }

  /** Forgets the handles of an earlier run, so a test sees only what its own fixture leaked. */
  static void forgetLeakedHandles() {
    leakedNamespace = null;
    leakedProcess = null;
    leakedAttachment = null;
    release = null;
  }

  /** Frees whatever the leaky fixture left, as far as it got. */
  static void cleanUpLeaks() {
    if (release != null) {
      release.countDown();
    }
    if (leakedAttachment != null) {
      leakedAttachment.close();
    }
    if (leakedNamespace != null) {
      leakedNamespace.close();
    }
  }

  @Test
  void aLeakyRunFailsWithAReportThatNamesEachLeak() throws Exception {
    forgetLeakedHandles();
    try {
      SummaryGeneratingListener summary = new SummaryGeneratingListener();
      Throwable failure = catchThrowable(() -> runSession(LeakyTestCase.class, true, summary));
      assertTheFixtureRanAndPassed(summary);
      String ns = "net:[" + leakedNamespace.id().inode() + "]";
      assertThat(failure).isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("nsunit leak check (nsunit.leakcheck=true): the test run left ")
          .hasMessageContaining("\n  - process still running: pid " + leakedProcess.pid() + " ")
          .hasMessageContaining("sleep 600")
          .hasMessageContaining(" -> " + ns)
          .hasMessageContaining("-> net:[" + leakedAttachment.endpoint().id().inode() + "]")
          .hasMessageContaining("\n  - thread still alive: nsunit-leaky-")
          .hasMessageContaining("\n  - lab veth still present: " + leakedAttachment.labVeth() + " master nsunit");
    } finally {
      cleanUpLeaks();
    }
  }

  @Test
  void disabledItIsInert() throws Exception {
    forgetLeakedHandles();
    try {
      SummaryGeneratingListener summary = new SummaryGeneratingListener();
      assertThatCode(() -> runSession(LeakyTestCase.class, false, summary)).doesNotThrowAnyException();
      assertTheFixtureRanAndPassed(summary);
      // the leaks are real and still there, yet the disabled check said nothing
      assertThat(leakedAttachment).as("the lab veth the fixture leaked").isNotNull();
      assertThat(leakedProcess.isAlive()).as("the process the fixture leaked is alive").isTrue();
      assertThat(leakedNamespace.isClosed()).as("the namespace the fixture leaked is closed").isFalse();
    } finally {
      cleanUpLeaks();
    }
  }

  @Test
  void changesToTheRealHostAreReportedBothWays() {
    ResourceSnapshot before = new ResourceSnapshot(List.of("1: lo", "2: eth0"), List.of("eth0 inet 192.0.2.5/24"),
        List.of("default via 192.0.2.1 dev eth0"), Set.of(), Map.of(), Set.of(), 3, Set.of(), Set.of());
    ResourceSnapshot after = new ResourceSnapshot(List.of("1: lo", "2: eth0", "9: nsuv1"), List.of(),
        List.of("default via 192.0.2.1 dev eth0"), Set.of("nsu-x"), Map.of(), Set.of(), 4, Set.of(), Set.of());
    assertThat(after.leaksSince(before)).containsExactly(
        "host link appeared: 9: nsuv1",
        "host address changed or vanished: eth0 inet 192.0.2.5/24",
        "named namespace /run/netns/nsu-x",
        "socket/pipe/anon_inode descriptors: 4, before the run: 3");
    assertThat(before.leaksSince(before)).isEmpty();
  }
}
