package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.NamespaceHolders;
import dev.nsunit.testing.Shell;
import java.io.FileOutputStream;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/**
 * Interrupts at awkward moments: an interrupted {@code start()} never leaves a process, an
 * interrupted {@code create()} or {@code open()} never leaves a namespace, and {@code close()}
 * called from inside {@code call()} does not interrupt its own caller. The oracle is
 * {@code /proc}: which processes, threads and descriptors refer to the namespace's inode.
 */
class InterruptTests {
  private static final int RUNS = 30;
  private static final long HANG_GUARD_SECONDS = 60;

  @Test
  void startWithTheInterruptFlagSetStartsNoProcessAndKeepsTheFlag() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("interrupted-start")) {
      long inode = ns.id().inode();
      Thread.currentThread().interrupt();
      Throwable thrown;
      boolean stillInterrupted;
      try {
        thrown = catchThrowable(() -> ns.start(new ProcessBuilder("sleep", "97")));
      } finally {
        stillInterrupted = Thread.interrupted();
      }
      quiesceLauncher(ns);
      // main's code starts the process anyway, after start() gave up, and close() never kills it
      assertThat(NamespaceHolders.processesOfThisJvmIn(inode)).as("processes in the namespace").isEmpty();
      assertThat(thrown).isInstanceOf(InterruptedIOException.class)
          .hasMessageStartingWith("interrupted while starting [sleep, 97] in interrupted-start");
      assertThat(stillInterrupted).as("interrupt flag after start()").isTrue();
    }
  }

  /**
   * The reproduction: {@code start()} interrupted at a random moment, 30 times. Whatever
   * start() answers, the namespace holds exactly the process it returned (or none), and after
   * {@code close()} nothing.
   */
  @Test
  void anInterruptedStartEitherReturnsATrackedProcessOrLeavesNone() throws Exception {
    Map<String, Integer> outcomes = new TreeMap<>();
    for (int run = 0; run < RUNS; run++) {
      NetworkNamespace ns = NetworkNamespace.create("interrupted-start");
      long inode = ns.id().inode();
      AtomicReference<Object> outcome = new AtomicReference<>();
      AtomicBoolean flagAfter = new AtomicBoolean();
      CountDownLatch starting = new CountDownLatch(1);
      Thread caller = new Thread(() -> {
        starting.countDown();
        try {
          outcome.set(ns.start(new ProcessBuilder("sleep", "97")));
        } catch (Throwable t) {
          outcome.set(t);
        }
        flagAfter.set(Thread.currentThread().isInterrupted());
      }, "interrupted-starter");
      Process process = null;
      try {
        caller.start();
        starting.await();
        // up to 1, 2, 4 ... 128 ms: before the launch, during it (a fork under load takes tens of
        // milliseconds), or after start() returned
        TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(0, 1 + (1_000L << (run % 8))));
        caller.interrupt();
        caller.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
        assertThat(caller.isAlive()).as("run %d: start() still blocks", run).isFalse();
        quiesceLauncher(ns);
        List<String> inside = NamespaceHolders.processesOfThisJvmIn(inode);
        if (outcome.get() instanceof Process p) {
          process = p;
          outcomes.merge("returned a process", 1, Integer::sum);
          assertThat(inside).as("run %d: start() returned pid %d", run, p.pid()).hasSize(1)
              .allMatch(s -> s.startsWith("pid " + p.pid() + " "));
        } else {
          outcomes.merge(((Throwable) outcome.get()).getMessage().replaceAll(".*; | \\(pid \\d+\\)", ""), 1, Integer::sum);
          assertThat(inside).as("run %d: start() failed with %s, yet the namespace holds", run, outcome.get()).isEmpty();
          assertThat((Throwable) outcome.get()).as("run %d", run).isInstanceOf(InterruptedIOException.class);
          assertThat(flagAfter.get()).as("run %d: interrupt flag after start()", run).isTrue();
        }
        ns.close();
        if (process != null) {
          assertThat(process.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).as("run %d: killed by close()", run).isTrue();
        }
        assertThat(NamespaceHolders.processesOfThisJvmIn(inode)).as("run %d: after close()", run).isEmpty();
      } finally {
        ns.close();
        if (process != null) {
          process.destroyForcibly();
        }
      }
    }
    System.out.println("interrupted start(), " + RUNS + " runs: " + outcomes);
  }

  /**
   * The interrupt comes while the launcher is inside the launch: it opens the process's stdin, a
   * FIFO, which blocks until the test opens the other end. start() must wait for the launch and
   * kill the process it made.
   */
  @Test
  void anInterruptDuringTheLaunchKillsTheProcessItMade(@TempDir Path dir) throws Exception {
    Path fifo = dir.resolve("stdin");
    Shell.run("mkfifo", fifo.toString());
    try (NetworkNamespace ns = NetworkNamespace.create("interrupted-launch")) {
      long inode = ns.id().inode();
      AtomicReference<Object> outcome = new AtomicReference<>();
      AtomicBoolean flagAfter = new AtomicBoolean();
      Thread caller = new Thread(() -> {
        try {
          outcome.set(ns.start(new ProcessBuilder("sleep", "97").redirectInput(fifo.toFile())));
        } catch (Throwable t) {
          outcome.set(t);
        }
        flagAfter.set(Thread.currentThread().isInterrupted());
      }, "interrupted-starter");
      caller.start();
      awaitLauncherOpening(fifo);
      caller.interrupt();
      try (FileOutputStream writer = new FileOutputStream(fifo.toFile())) {
        // opening the writing end lets the launcher's open() return and the fork go on
      }
      caller.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
      assertThat(caller.isAlive()).as("start() still blocks").isFalse();
      quiesceLauncher(ns);
      // main's code returns at once and the process, started afterwards, survives close()
      assertThat(NamespaceHolders.processesOfThisJvmIn(inode)).as("processes in the namespace").isEmpty();
      assertThat(outcome.get()).isInstanceOf(InterruptedIOException.class);
      assertThat(((Throwable) outcome.get()).getMessage())
          .startsWith("interrupted while starting [sleep, 97] in interrupted-launch; the process (pid ")
          .endsWith(") had already started and was killed");
      assertThat(flagAfter.get()).as("interrupt flag after start()").isTrue();
    }
  }

  /** Waits until the launcher thread blocks opening the FIFO (its reading end) inside start(). */
  private static void awaitLauncherOpening(Path fifo) {
    Await.until("the launcher opening " + fifo, () -> Thread.getAllStackTraces().entrySet().stream()
        .anyMatch(t -> t.getKey().getName().startsWith("nsunit-launcher-interrupted-launch")
            && Arrays.stream(t.getValue()).anyMatch(f -> f.getClassName().equals("java.io.FileInputStream"))));
  }

  @Test
  void createOrOpenWithTheInterruptFlagSetLeavesNoNamespaceAndKeepsTheFlag() {
    try (NetworkNamespace existing = NetworkNamespace.create("existing")) {
      Set<String> before = NamespaceHolders.namespaceFdsOfThisJvm();
      Thread.currentThread().interrupt();
      Throwable created;
      Throwable opened;
      boolean stillInterrupted;
      try {
        created = catchThrowable(() -> NetworkNamespace.create("abandoned").close());
        opened = catchThrowable(() -> NetworkNamespace.open(existing.path(), "existing again").close());
      } finally {
        stillInterrupted = Thread.interrupted();
      }
      assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).isEqualTo(before);
      assertThat(created).isInstanceOf(IllegalStateException.class)
          .hasMessage("interrupted while creating network namespace abandoned; it was closed again, because whoever"
              + " interrupted the caller may no longer be waiting for it");
      assertThat(opened).isInstanceOf(IllegalStateException.class)
          .hasMessage("interrupted while opening network namespace existing again; it was closed again, because"
              + " whoever interrupted the caller may no longer be waiting for it");
      assertThat(stillInterrupted).isTrue();
    }
  }

  /**
   * The reproduction: {@code create()} abandoned by {@code assertTimeoutPreemptively}
   * 200 times; on main's code nearly all 200 namespaces stay open. Some are abandoned while
   * create() runs: their thread is interrupted, so create() closes what it made. Others finish
   * just after the timeout, before that interrupt: their namespace is unreachable, and its
   * descriptors are closed once the garbage collector has seen that. So this test asks for GCs
   * while it waits.
   */
  @Test
  void createsAbandonedByAssertTimeoutPreemptivelyLeaveNoDescriptors() throws Exception {
    Set<String> before = NamespaceHolders.namespaceFdsOfThisJvm();
    int abandoned = 0;
    for (int i = 0; i < 200; i++) {
      try {
        assertTimeoutPreemptively(Duration.ofNanos(ThreadLocalRandom.current().nextLong(100_000, 2_000_000)),
            () -> NetworkNamespace.create("abandoned")).close();
      } catch (AssertionFailedError timedOut) {
        abandoned++;
      }
    }
    System.out.printf("%d of 200 create() calls abandoned%n", abandoned);
    assertThat(abandoned).as("calls abandoned: the test must really abandon some").isPositive();
    Await.until("no namespace descriptor left by " + abandoned + " abandoned create() calls, GC asked for", () -> {
      System.gc();
      return leftSince(before);
    }, List::isEmpty);
  }

  private static List<String> leftSince(Set<String> before) {
    List<String> left = new ArrayList<>(NamespaceHolders.namespaceFdsOfThisJvm());
    left.removeAll(before);
    return left;
  }

  @Test
  void closeFromInsideCallDoesNotInterruptItsOwnThreadOrTheCaller() throws Exception {
    NetworkNamespace ns = NetworkNamespace.create("self-closing");
    long inode = ns.id().inode();
    boolean interruptedInside = ns.call(() -> {
      ns.close();
      return Thread.currentThread().isInterrupted();
    });
    assertThat(interruptedInside).as("interrupt flag of the thread that called close() inside call()").isFalse();
    assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag of call()'s caller").isFalse();
    assertThat(ns.isClosed()).isTrue();
    CloseRaceTests.awaitNoThreadIn(inode, "after the task returned");
  }

  /**
   * Waits until the namespace's launcher has run everything queued before: it starts processes
   * one at a time, in order, so once a later start() has returned, an earlier one has finished.
   */
  private static void quiesceLauncher(NetworkNamespace ns) throws Exception {
    Process marker = ns.start(new ProcessBuilder("true"));
    assertThat(marker.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).isTrue();
  }

  private interface Action {
    void run() throws Exception;
  }

  private static Throwable catchThrowable(Action action) {
    try {
      action.run();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
