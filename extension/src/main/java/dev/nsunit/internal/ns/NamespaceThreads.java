package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs short set-up tasks inside another (or a brand-new) network namespace. The caller's thread
 * never changes namespace.
 *
 * <p>The tasks run on one shared, reusable "maker" thread rather than on a fresh thread each:
 * starting and joining a platform thread costs about as much as the kernel needs to build a
 * namespace (benchmarks/ measures both). The maker enters the target namespace, runs the task, and returns to the JVM's
 * startup namespace ({@code /proc/self/ns/net}, held open while the maker lives) before it takes
 * the next task, so it never keeps a namespace alive. Tasks run one at a time, in order.
 *
 * <p>Lifetime: the maker is a daemon thread named {@code nsunit-maker-N}, started on demand and
 * ending after {@value #IDLE_MILLIS} ms without work (closing its startup-namespace fd), so it
 * outlives a burst of namespace creations by at most that long. If it ever fails to return to
 * the startup namespace, it ends at once, which releases the namespace it was in, and a new
 * maker takes over the queue.
 */
final class NamespaceThreads {
  /** How long an idle maker waits for more work before it ends. */
  static final long IDLE_MILLIS = 1_000;

  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Object LOCK = new Object();
  private static final ArrayDeque<Job<?>> QUEUE = new ArrayDeque<>(); // guarded by LOCK
  private static Thread maker; // guarded by LOCK

  private NamespaceThreads() {}

  /** Runs {@code task} on the maker after it has unshared into a brand-new namespace. */
  static <T> T inNewNamespace(Callable<T> task) {
    return run(new Job<>(-1, task));
  }

  /** Runs {@code task} on the maker after it has joined the namespace {@code fd} refers to. */
  static <T> T inNamespace(int fd, Callable<T> task) {
    return run(new Job<>(fd, task));
  }

  /**
   * Moves the calling thread into the namespace {@code fd} refers to, unless it is already there.
   * setns needs CAP_SYS_ADMIN even for the namespace a thread is in, and a JVM without privileges
   * must still be able to inspect its own namespace (@HostNetwork checks on a CI machine).
   */
  static void join(int fd) {
    if (!target("/proc/self/fd/" + fd).equals(target("/proc/thread-self/ns/net"))) {
      Libc.setns(fd, Libc.CLONE_NEWNET);
    }
  }

  /**
   * Moves the calling thread into the JVM's startup namespace ({@code /proc/self/ns/net}), for a
   * long-lived thread that may have been started from a namespaced one and must not pin its
   * namespace. Where that fails (it cannot when the thread is already there), the thread stays.
   */
  static void joinStartupNamespace() {
    try {
      int home = Libc.openReadOnly("/proc/self/ns/net");
      try {
        join(home);
      } finally {
        Libc.close(home);
      }
    } catch (RuntimeException e) {
      // no privilege to setns: then this JVM cannot have entered another namespace either
    }
  }

  /** "net:[inode]": namespace inodes are unique among live namespaces, and both are alive here. */
  private static String target(String link) {
    try {
      return Libc.readlink(link);
    } catch (RuntimeException e) {
      return link; // unreadable: compare unequal, so setns decides and reports
    }
  }

  /** One task for the maker; {@code nsFd < 0} means "unshare into a new namespace". */
  private static final class Job<T> {
    final int nsFd;
    final Callable<T> task;
    T result;
    Throwable failure;
    boolean done; // guarded by this

    Job(int nsFd, Callable<T> task) {
      this.nsFd = nsFd;
      this.task = task;
    }

    void runOn() {
      try {
        if (nsFd < 0) {
          Libc.unshare(Libc.CLONE_NEWNET);
        } else {
          join(nsFd);
        }
        result = task.call();
      } catch (Throwable e) {
        failure = e;
      }
    }

    synchronized void complete() {
      done = true;
      notifyAll();
    }

    /** Waits for the maker; interrupts are deferred: the task is short and its result holds fds. */
    synchronized void await() {
      boolean interrupted = false;
      while (!done) {
        try {
          wait();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static <T> T run(Job<T> job) {
    synchronized (LOCK) {
      QUEUE.add(job);
      if (maker == null) {
        startMaker();
      } else {
        LOCK.notifyAll();
      }
    }
    job.await();
    Throwable f = job.failure;
    if (f != null) {
      Rethrow.ifUncheckedOr(f, RuntimeException.class);
      throw new IllegalStateException(f);
    }
    return job.result;
  }

  /** Starts a maker; the caller holds {@link #LOCK}. */
  private static void startMaker() {
    Thread t = new Thread(NamespaceThreads::makerLoop, "nsunit-maker-" + COUNTER.incrementAndGet());
    t.setDaemon(true);
    maker = t;
    t.start();
  }

  private static void makerLoop() {
    int home;
    try {
      // The maker inherited the namespace of whichever thread started it: go home first.
      home = Libc.openReadOnly("/proc/self/ns/net");
      try {
        join(home);
      } catch (RuntimeException | Error e) {
        Libc.close(home);
        throw e;
      }
    } catch (Throwable e) {
      failQueued(e);
      return;
    }
    try {
      while (true) {
        Job<?> job = next();
        if (job == null) {
          return; // idle: next() has already cleared `maker`
        }
        job.runOn();
        try {
          join(home);
        } catch (Throwable e) {
          // Stuck in the task's namespace: end this thread (releasing it) and hand over.
          if (job.failure == null) {
            job.failure = e;
          }
          job.complete();
          synchronized (LOCK) {
            maker = null;
            if (!QUEUE.isEmpty()) {
              startMaker();
            }
          }
          return;
        }
        job.complete();
      }
    } finally {
      Libc.close(home);
    }
  }

  /** The next job, or {@code null} (and no maker) after {@link #IDLE_MILLIS} without one. */
  private static Job<?> next() {
    synchronized (LOCK) {
      long deadline = System.nanoTime() + IDLE_MILLIS * 1_000_000;
      while (QUEUE.isEmpty()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          maker = null;
          return null;
        }
        try {
          LOCK.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          // nobody interrupts the maker on purpose; keep serving the queue
        }
      }
      return QUEUE.poll();
    }
  }

  /** A maker could not even start: fail every waiting job rather than leave it hanging. */
  private static void failQueued(Throwable e) {
    synchronized (LOCK) {
      maker = null;
      Job<?> j;
      while ((j = QUEUE.poll()) != null) {
        j.failure = new IllegalStateException("cannot start the namespace maker thread", e);
        j.complete();
      }
    }
  }
}
