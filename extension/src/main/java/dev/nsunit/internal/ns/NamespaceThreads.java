package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;

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
  private static final ArrayDeque<Job<?>> BACKGROUND = new ArrayDeque<>(); // guarded by LOCK
  private static Thread maker; // guarded by LOCK
  private static volatile Runnable onIdle = () -> { };

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
   * Queues {@code task} to run on the maker after it has unshared into a brand-new namespace, once
   * no caller is waiting for the maker; then, back in the startup namespace, {@code then} gets the
   * result (or {@code null} and the failure). Returns at once. For work nobody waits for, such as
   * filling {@link NamespacePool}: a waiting caller never queues behind more than one such task.
   */
  static <T> void inNewNamespaceLater(Callable<T> task, BiConsumer<T, Throwable> then) {
    Job<T> job = new Job<>(-1, task);
    job.then = then;
    synchronized (LOCK) {
      BACKGROUND.add(job);
      if (maker == null) {
        startMaker();
      } else {
        LOCK.notifyAll();
      }
    }
  }

  /**
   * Sets what the maker runs, in the startup namespace, when it ends after {@link #IDLE_MILLIS}
   * without work (NamespacePool closes what it holds then).
   */
  static void onIdle(Runnable task) {
    onIdle = task;
  }

  /**
   * Moves the calling thread into the namespace {@code fd} refers to, unless it is already there.
   * setns needs CAP_SYS_ADMIN even for the namespace a thread is in, and a JVM without privileges
   * must still be able to inspect its own namespace (@HostNetwork checks on a CI machine).
   */
  static void join(int fd) {
    try {
      Libc.setns(fd, Libc.CLONE_NEWNET); // the usual case, without two readlinks first
    } catch (RuntimeException e) {
      if (!target("/proc/self/fd/" + fd).equals(target("/proc/thread-self/ns/net"))) {
        throw e;
      }
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

  /**
   * The namespace new namespaces are made from, by the maker only ({@code -2}: not tried yet,
   * {@code -1}: none, so they are made from the startup namespace). See {@link #unshareNew()}.
   */
  private static volatile int nursery = -2;

  /**
   * The kernel sizes a new namespace's TCP and UDP hash tables by sysctls of the namespace it is
   * made from ({@code net.ipv4.tcp_child_ehash_entries}, {@code udp_child_hash_entries}, 0 by
   * default: share the machine's tables). A shared table is sized for the whole machine (262,144
   * TCP buckets here), and every sock_diag dump of a namespace walks all of it, which costs about
   * a millisecond per dump. So new namespaces are made from a "nursery", an empty namespace of
   * this JVM's whose sysctls give each child tables of its own ({@value #TCP_BUCKETS} TCP and
   * {@value #UDP_BUCKETS} UDP buckets); the machine's settings stay untouched. Where the nursery
   * cannot be made or set, children are made from the startup namespace, as before.
   */
  private static void unshareNew() {
    int n = nursery;
    if (n == -2) {
      n = makeNursery();
      nursery = n;
    }
    if (n >= 0) {
      Libc.setns(n, Libc.CLONE_NEWNET);
    }
    Libc.unshare(Libc.CLONE_NEWNET);
  }

  /**
   * Small: the kernel allocates and clears the tables in every {@code unshare}, and 4096 TCP and 256
   * UDP buckets made it 0.12-0.15 ms slower (0.02-0.05 ms with these; 128 is the smallest UDP
   * table the kernel accepts). A test's handful of sockets fits either way.
   */
  static final int TCP_BUCKETS = 256;
  static final int UDP_BUCKETS = 128;

  /** On the maker, at home: the nursery's fd, or -1. Returns home. */
  private static int makeNursery() {
    int home = Libc.openReadOnly("/proc/self/ns/net");
    try {
      Libc.unshare(Libc.CLONE_NEWNET);
      int fd = Libc.openReadOnly("/proc/thread-self/ns/net");
      try {
        // /proc/sys/net shows the namespace of the thread that opens the file
        Files.writeString(Path.of("/proc/sys/net/ipv4/tcp_child_ehash_entries"),
            TCP_BUCKETS + "\n"); // read them back with a stream: Files.readString reads /proc/sys short
        Files.writeString(Path.of("/proc/sys/net/ipv4/udp_child_hash_entries"),
            UDP_BUCKETS + "\n");
        return fd;
      } catch (IOException | RuntimeException e) {
        Libc.close(fd); // an older kernel, or /proc/sys read-only: share the machine's tables
        return -1;
      }
    } catch (RuntimeException e) {
      return -1;
    } finally {
      Libc.setns(home, Libc.CLONE_NEWNET);
      Libc.close(home);
    }
  }

  /** The nursery's inode (it lives as long as the JVM), or -1 if there is none. */
  static long nurseryInode() {
    int n = nursery;
    return n >= 0 ? Libc.fileStatus(n).inode() : -1;
  }

  /** One task for the maker; {@code nsFd < 0} means "unshare into a new namespace". */
  private static final class Job<T> {
    final int nsFd;
    final Callable<T> task;
    T result;
    Throwable failure;
    boolean done; // guarded by this
    BiConsumer<T, Throwable> then; // a background job's continuation, or null

    Job(int nsFd, Callable<T> task) {
      this.nsFd = nsFd;
      this.task = task;
    }

    void runOn() {
      try {
        if (nsFd < 0) {
          unshareNew();
        } else {
          join(nsFd);
        }
        result = task.call();
      } catch (Throwable e) {
        failure = e;
      }
    }

    void complete() {
      if (then != null) {
        then.accept(result, failure); // on the maker, back home; a continuation does not throw
        return;
      }
      synchronized (this) {
        done = true;
        notifyAll();
      }
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
          onIdle.run(); // idle: next() has already cleared `maker`
          return;
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
            if (!QUEUE.isEmpty() || !BACKGROUND.isEmpty()) {
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
      while (QUEUE.isEmpty() && BACKGROUND.isEmpty()) {
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
      Job<?> job = QUEUE.poll();
      return job != null ? job : BACKGROUND.poll();
    }
  }

  /** A maker could not even start: fail every waiting job rather than leave it hanging. */
  private static void failQueued(Throwable e) {
    synchronized (LOCK) {
      maker = null;
      Job<?> j;
      while ((j = QUEUE.poll()) != null || (j = BACKGROUND.poll()) != null) {
        j.failure = new IllegalStateException("cannot start the namespace maker thread", e);
        j.complete();
      }
    }
  }
}
