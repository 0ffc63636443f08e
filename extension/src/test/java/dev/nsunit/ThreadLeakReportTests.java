package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The per-test thread-leak report names threads by their Java names (the kernel keeps only 15
 * characters, and two of these threads share them), says what to do, and leaves out the threads
 * that {@value NsunitProperties#THREADS_IGNORE} lists.
 */
class ThreadLeakReportTests {
  static volatile CountDownLatch release = new CountDownLatch(1);
  static final List<Thread> LEAKED = new CopyOnWriteArrayList<>();

  @NoNetwork
  static class LeakingTestCase {
    @Test
    void leavesThreeThreads() throws InterruptedException {
      CountDownLatch running = new CountDownLatch(3);
      for (String name : List.of("LeakReport-SelectorManager-1", "LeakReport-SelectorManager-2", "LeakReport-Worker-1")) {
        Thread t = new Thread(() -> {
          running.countDown();
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }, name);
        LEAKED.add(t);
        t.start();
      }
      running.await();
    }
  }

  @AfterEach
  void stopTheLeakedThreads() throws InterruptedException {
    release.countDown();
    for (Thread t : LEAKED) {
      t.join();
    }
    LEAKED.clear();
    release = new CountDownLatch(1);
  }

  @Test
  void theReportNamesEachThreadByItsJavaNameAndSaysWhatToDo() {
    assertThat(ThreadNames.kernelName("LeakReport-SelectorManager-1"))
        .isEqualTo(ThreadNames.kernelName("LeakReport-SelectorManager-2"));
    Throwable leak = leakFailure(run(""));
    assertThat(leak).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("test leavesThreeThreads left 3 thread(s) running in network namespace")
        .hasMessageContaining("\"LeakReport-SelectorManager-1\"")
        .hasMessageContaining("\"LeakReport-SelectorManager-2\"")
        .hasMessageContaining("\"LeakReport-Worker-1\"")
        .hasMessageContaining("Stop threads you start (interrupt and join them) and close clients")
        .hasMessageContaining("ns.executor() or ns.threadFactory()")
        .hasMessageContaining("nsunit.threads.ignore=LeakReport-SelectorManager-*,LeakReport-Worker-*");
  }

  @Test
  void ignoredThreadsAreLeftOutAndTheOthersStillFail() {
    Throwable leak = leakFailure(run("LeakReport-SelectorManager-*, Unrelated"));
    assertThat(leak).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("test leavesThreeThreads left 1 thread(s) running in network namespace")
        .hasMessageContaining("\"LeakReport-Worker-1\"")
        .hasMessageNotContaining("SelectorManager");
  }

  @Test
  void aTestWhoseThreadsAreAllIgnoredPasses() {
    run("LeakReport-*").assertStatistics(s -> s.started(1).succeeded(1).failed(0));
    assertThat(LEAKED).hasSize(3).allSatisfy(t -> assertThat(t.isAlive()).isTrue());
  }

  @Test
  void theThreadDumpMapsKernelTaskIdsToJavaNames() throws Exception {
    String name = "ThreadNames-check-" + "x".repeat(30);
    String[] seen = new String[2];
    Thread t = new Thread(() -> {
      try {
        long tid = Long.parseLong(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
        seen[0] = Files.readString(Path.of("/proc/thread-self/comm")).trim();
        seen[1] = ThreadNames.byTaskId().get(tid);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, name);
    t.start();
    t.join();
    assertThat(seen[0]).isEqualTo(name.substring(0, 15));
    assertThat(seen[1]).isEqualTo(name);
  }

  @Test
  void threadDumpsOfJdk17AndJdk21AreBothRead() {
    String jdk17 = "\"HttpClient-1-SelectorManager\" #20 daemon prio=5 os_prio=0 cpu=1.20ms elapsed=3.40s"
        + " tid=0x00007f2c2c0f1000 nid=0x10e1 runnable  [0x00007f2bf57fe000]\n"
        + "   java.lang.Thread.State: RUNNABLE\n"
        + "\"GC Thread#0\" os_prio=0 cpu=0.51ms elapsed=3.50s tid=0x00007f2c2c02a000 nid=0x10d2 runnable\n";
    String jdk21 = "\"Okio Watchdog\" #31 [4403] daemon prio=5 os_prio=0 cpu=0.10ms elapsed=1.00s"
        + " tid=0x00007f2c2c0f2000 nid=4403 waiting on condition  [0x00007f2bf56fe000]\n";
    assertThat(ThreadNames.parse(jdk17)).containsEntry(0x10e1L, "HttpClient-1-SelectorManager")
        .containsEntry(0x10d2L, "GC Thread#0").hasSize(2);
    assertThat(ThreadNames.parse(jdk21)).containsEntry(4403L, "Okio Watchdog").hasSize(1);
  }

  @Test
  void patternsMatchWholeNamesWithStarsForAnyCharacters() {
    IgnoredThreads ignored = IgnoredThreads.parse(" HttpClient-*-SelectorManager ,, Okio Watchdog,a.b");
    assertThat(ignored.matches("HttpClient-12-SelectorManager")).isTrue();
    assertThat(ignored.matches("HttpClient-12-Worker-0")).isFalse();
    assertThat(ignored.matches("Okio Watchdog")).isTrue();
    assertThat(ignored.matches("Okio Watchdog 2")).isFalse();
    assertThat(ignored.matches("aXb")).isFalse(); // literal, not a regular expression
    assertThat(ignored).hasToString("HttpClient-*-SelectorManager,Okio Watchdog,a.b");
    assertThat(IgnoredThreads.parse(" , ").isEmpty()).isTrue();
    assertThat(IgnoredThreads.suggest("HttpClient-3-Worker-12")).isEqualTo("HttpClient-*-Worker-*");
  }

  private static Events run(String ignore) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(LeakingTestCase.class))
        .configurationParameter(NsunitProperties.THREADS_IGNORE, ignore)
        .execute().testEvents();
  }

  private static Throwable leakFailure(Events tests) {
    tests.assertStatistics(s -> s.started(1).failed(1));
    // JUnit: "Failed to close extension context", caused by the report
    return FailureContainmentTests.failure(tests, "leavesThreeThreads").getCause();
  }
}
