package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.NamespaceHolders;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * {@code call()}, {@code start()} and {@code snapshot()} racing {@code close()}: every caller
 * returns, with its result or with the documented "is closed" exception; {@code close()} itself
 * does not fail (no phantom "threads still running"); no process or thread is left in the
 * namespace. Each test repeats the race many times with the close at varying moments: one round
 * proves little, a hang or a wrong exception in any round fails the test.
 *
 * <p>Times are hang guards only (a caller still blocked after {@value #HANG_GUARD_SECONDS} s is
 * reported with its stack), never assertions about speed.
 */
class CloseRaceTests {
  private static final int ROUNDS = 16;
  private static final int CALLERS = 16;
  private static final int USES_PER_CALLER = 40;
  private static final long HANG_GUARD_SECONDS = 60;

  /** The documented message of a closed namespace. */
  static String closedMessage(NetworkNamespace ns) {
    return "network namespace " + ns.name() + " (" + ns.id() + ") is closed; create a new one instead of reusing it";
  }

  /** One use of the namespace by a racing caller; throws when it fails. */
  @FunctionalInterface
  interface Use {
    void run() throws Exception;
  }

  @Test
  void startRacingCloseReturnsEveryCallerAndLeavesNoProcess() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      NetworkNamespace ns = NetworkNamespace.create("race-start");
      List<Process> started = new CopyOnWriteArrayList<>();
      try {
        race(ns, round, () -> started.add(ns.start(new ProcessBuilder("sleep", "600"))));
        for (Process p : started) {
          assertThat(p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS))
              .as("round %d: process %d returned by start() is still alive after close()", round, p.pid()).isTrue();
        }
      } finally {
        started.forEach(Process::destroyForcibly); // only if the guarantee failed
      }
    }
  }

  @Test
  void callRacingCloseReturnsEveryCaller() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      NetworkNamespace ns = NetworkNamespace.create("race-call");
      race(ns, round, () -> {
        int answer = ns.call(() -> 42);
        if (answer != 42) {
          throw new AssertionError("call() returned " + answer);
        }
      });
    }
  }

  @Test
  void snapshotRacingCloseFailsOnlyWithTheDocumentedMessage() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      NetworkNamespace ns = NetworkNamespace.create("race-snapshot");
      race(ns, round, () -> {
        if (ns.snapshot().links().isEmpty()) {
          throw new AssertionError("a snapshot without lo");
        }
      });
    }
  }

  @Test
  void mixedUsesRacingCloseReturnEveryCaller() throws Exception {
    for (int round = 0; round < ROUNDS; round++) {
      NetworkNamespace ns = NetworkNamespace.create("race-mixed");
      List<Process> started = new CopyOnWriteArrayList<>();
      try {
        race(ns, round, () -> {
          switch (ThreadLocalRandom.current().nextInt(4)) {
            case 0 -> started.add(ns.start(new ProcessBuilder("sleep", "600")));
            case 1 -> ns.run(() -> { });
            case 2 -> ns.sockets();
            default -> ns.links();
          }
        });
        for (Process p : started) {
          assertThat(p.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS))
              .as("round %d: process %d is still alive after close()", round, p.pid()).isTrue();
        }
      } finally {
        started.forEach(Process::destroyForcibly);
      }
    }
  }

  /**
   * An interrupted {@code call()} (at a random moment: before its worker started, while it
   * entered the namespace, or while the task ran) followed by {@code close()}: the caller gets
   * its {@link InterruptedException}, and {@code close()} neither fails nor leaves a thread.
   */
  @Test
  void anInterruptedCallThenCloseLeavesNoThreadAndNoFailure() throws Exception {
    for (int run = 0; run < 30; run++) {
      NetworkNamespace ns = NetworkNamespace.create("interrupted-call");
      long inode = ns.id().inode();
      AtomicReference<Throwable> outcome = new AtomicReference<>();
      CountDownLatch calling = new CountDownLatch(1);
      Thread caller = new Thread(() -> {
        calling.countDown();
        try {
          ns.call(() -> {
            Thread.sleep(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
            return null;
          });
          outcome.set(new AssertionError("call() returned although interrupted"));
        } catch (Throwable t) {
          outcome.set(t);
        }
      }, "interrupted-caller");
      caller.start();
      calling.await();
      pause(ThreadLocalRandom.current().nextInt(0, 3_000));
      caller.interrupt();
      caller.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
      assertThat(caller.isAlive()).as("run %d: the interrupted caller still blocks: %s", run, stackOf(caller)).isFalse();
      assertThat(outcome.get()).as("run %d", run).isInstanceOf(InterruptedException.class);

      ns.close(); // throws on main: "threads still running in ... [] 5000 ms after close()"
      awaitNoThreadIn(inode, "run " + run);
    }
  }

  /**
   * The one case where close() reports threads: a task that ignores the interrupt. The report
   * names that thread, the real one, never an empty list.
   */
  @Test
  void closeNamesATaskThatIgnoresItsInterrupt() throws Exception {
    NetworkNamespace ns = NetworkNamespace.create("stubborn");
    long inode = ns.id().inode();
    AtomicReference<String> worker = new AtomicReference<>();
    AtomicBoolean release = new AtomicBoolean();
    CountDownLatch running = new CountDownLatch(1);
    Thread caller = new Thread(() -> {
      try {
        ns.run(() -> {
          worker.set(Thread.currentThread().getName());
          running.countDown();
          while (!release.get()) {
            try {
              Thread.sleep(10);
            } catch (InterruptedException ignored) {
              // this task ignores interrupts on purpose
            }
          }
        });
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, "stubborn-caller");
    caller.start();
    try {
      running.await();
      assertThatThrownBy(ns::close).isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("1 thread(s) still running in stubborn [" + worker.get() + " (")
          .hasMessageEndingWith("ms after close() interrupted them; they keep the namespace alive."
              + " Let tasks given to call() or executor() end when interrupted.");
    } finally {
      release.set(true);
      caller.join(TimeUnit.SECONDS.toMillis(HANG_GUARD_SECONDS));
    }
    awaitNoThreadIn(inode, "after the task ended");
  }

  /**
   * Runs {@value #CALLERS} callers that each {@code use} the namespace up to
   * {@value #USES_PER_CALLER} times until they meet the closed namespace, while this thread
   * closes it after a short, varying pause. Fails on a hung caller, an exception other than the
   * documented one, a failing {@code close()}, or a process or thread left in the namespace.
   */
  private static void race(NetworkNamespace ns, int round, Use use) throws Exception {
    long inode = ns.id().inode();
    String closed = closedMessage(ns);
    List<String> wrong = new CopyOnWriteArrayList<>();
    CountDownLatch ready = new CountDownLatch(CALLERS);
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> callers = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      Thread t = new Thread(() -> {
        ready.countDown();
        try {
          go.await();
          for (int u = 0; u < USES_PER_CALLER; u++) {
            use.run();
          }
        } catch (IllegalStateException e) {
          if (!closed.equals(e.getMessage())) {
            wrong.add(stackOf(e));
          }
        } catch (Throwable e) {
          wrong.add(stackOf(e));
        }
      }, "racing-caller-" + i);
      t.setDaemon(true);
      t.start();
      callers.add(t);
    }
    ready.await();
    go.countDown();
    // up to 1, 2, 4 ... 128 ms: early closes race the first uses, late ones race forks in progress
    pause(ThreadLocalRandom.current().nextLong(0, 1 + (1_000L << (round % 8))));
    Throwable closeFailure = null;
    try {
      ns.close();
    } catch (Throwable e) {
      closeFailure = e;
    }
    List<String> hung = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(HANG_GUARD_SECONDS);
    for (Thread t : callers) {
      t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
      if (t.isAlive()) {
        hung.add(t.getName() + stackOf(t));
      }
    }
    if (!hung.isEmpty()) {
      hung.add("the namespace's threads:" + nsunitThreads() + "\nclose() failed with: "
          + (closeFailure == null ? "nothing" : stackOf(closeFailure)));
    }
    callers.forEach(Thread::interrupt); // let a hung caller go, so a failure leaks no thread
    assertThat(hung).as("round %d: callers still blocked %d s after close()", round, HANG_GUARD_SECONDS).isEmpty();
    assertThat(wrong).as("round %d: callers that failed with something other than \"%s\"", round, closed).isEmpty();
    assertThat(closeFailure).as("round %d: close() failed", round).isNull();
    assertThat(NamespaceHolders.processesOfThisJvmIn(inode)).as("round %d: processes left in the namespace", round)
        .isEmpty();
    awaitNoThreadIn(inode, "round " + round);
  }

  /**
   * close() joins its threads, but Thread.join can return before the kernel task is gone. The
   * JDK's own "process reaper" threads are not counted: whichever thread starts a process creates
   * one, the JDK retires it when idle, and nsunit cannot stop it (README, "Guarantees").
   */
  static void awaitNoThreadIn(long inode, String when) {
    Await.until(when + ": no thread of this JVM left inside the closed namespace", () -> threadsIn(inode),
        List::isEmpty);
  }

  private static List<String> threadsIn(long inode) {
    List<String> inside = new ArrayList<>(NamespaceHolders.threadsOfThisJvmIn(inode));
    inside.removeIf(t -> t.endsWith("(process reaper)"));
    return inside;
  }

  private static void pause(long micros) throws InterruptedException {
    TimeUnit.MICROSECONDS.sleep(micros);
  }

  static String stackOf(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }

  /** The nsunit threads alive now, with their stacks: the evidence when a caller hangs. */
  static String nsunitThreads() {
    StringBuilder b = new StringBuilder();
    Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("nsunit-"))
        .forEach(t -> b.append("\n").append(t.getName()).append(" ").append(t.getState()).append(stackOf(t)));
    return b.toString();
  }

  static String stackOf(Thread t) {
    StringBuilder b = new StringBuilder();
    for (StackTraceElement e : t.getStackTrace()) {
      b.append("\n\tat ").append(e);
    }
    return b.toString();
  }
}
