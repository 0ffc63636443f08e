package dev.nsunit.internal.ns;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform threads of one namespace: a factory whose threads join the namespace before
 * running their task, and the pools this namespace owns (a cached pool for
 * {@link Netns#call}, the process launcher). {@link #close()} stops the pools and waits until
 * their threads are gone; threads a caller made with {@link #threadFactory()} are the caller's
 * to stop.
 *
 * <p>Every task handed to a pool completes, even when {@link #close()} comes first: with its
 * result, with its own exception, or with {@link NamespaceAccess#closed()} (see
 * {@link NamespaceExecutor}).
 */
final class NamespaceThreadPool implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final String description;
  private final NamespaceAccess access;
  private final Set<Thread> inside = ConcurrentHashMap.newKeySet();
  private final Set<Thread> pooled = ConcurrentHashMap.newKeySet();
  private final List<ExecutorService> singles = new ArrayList<>(); // guarded by this
  private ExecutorService executor; // guarded by this
  private boolean closed; // guarded by this

  /** @param description what the namespace is, for thread names */
  NamespaceThreadPool(String description, NamespaceAccess access) {
    this.description = description;
    this.access = access;
  }

  /** Threads that enter the namespace before running their task; after close they fail at once. */
  ThreadFactory threadFactory() {
    return task -> {
      Objects.requireNonNull(task, "task is null; pass the Runnable the new thread should run");
      Thread t = new Thread(() -> {
        access.enter();
        inside.add(Thread.currentThread());
        try {
          task.run();
        } finally {
          inside.remove(Thread.currentThread());
        }
      }, threadName("nsunit-"));
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * Workers of an owned pool: they do not join the namespace themselves ({@link NamespaceExecutor}
   * does, before their first task), and {@link #close()} joins them.
   */
  private ThreadFactory poolThreads(String prefix) {
    return worker -> {
      Thread t = new Thread(() -> {
        try {
          worker.run();
        } finally {
          inside.remove(Thread.currentThread());
          pooled.remove(Thread.currentThread());
        }
      }, threadName(prefix));
      t.setDaemon(true);
      pooled.add(t);
      return t;
    };
  }

  private String threadName(String prefix) {
    return prefix + description.replace(' ', '-') + "-" + THREADS.incrementAndGet();
  }

  /**
   * A pool of one long-lived thread inside the namespace that runs its tasks in order; it ends
   * only with {@link #close()}.
   *
   * @throws IllegalStateException {@link NamespaceAccess#closed()} after close
   */
  synchronized ExecutorService singleThread(String prefix) {
    requireOpen();
    ExecutorService single = new NamespaceExecutor(1, 1, 0, new LinkedBlockingQueue<>(), poolThreads(prefix),
        access, inside);
    singles.add(single);
    return single;
  }

  /**
   * The cached pool: threads are made on demand and end after 30 s idle.
   *
   * @throws IllegalStateException {@link NamespaceAccess#closed()} after close
   */
  synchronized ExecutorService executor() {
    requireOpen();
    if (executor == null) {
      executor = new NamespaceExecutor(0, Integer.MAX_VALUE, 30, new SynchronousQueue<>(), poolThreads("nsunit-"),
          access, inside);
    }
    return executor;
  }

  private void requireOpen() { // the caller holds this
    if (closed) {
      throw access.closed();
    }
  }

  /** Runs {@code task} on a pool thread and rethrows its own exception unchanged. */
  <T> T call(Callable<T> task) throws Exception {
    Future<T> f = submit(executor(), task, access);
    try {
      return f.get();
    } catch (ExecutionException e) {
      Rethrow.ifUncheckedOr(e.getCause(), Exception.class);
      throw e;
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    }
  }

  /** Submits {@code task}; a pool that refuses it because the namespace closed meanwhile says so. */
  static <T> Future<T> submit(ExecutorService pool, Callable<T> task, NamespaceAccess access) {
    try {
      return pool.submit(task);
    } catch (RejectedExecutionException e) {
      access.requireOpen();
      throw e;
    }
  }

  /** Threads of ours that are inside the namespace right now. */
  Set<Thread> liveThreads() {
    return Set.copyOf(inside);
  }

  /**
   * Stops the pools: no task starts any more (those already handed over complete with
   * {@link NamespaceAccess#closed()}), running ones are interrupted, and the threads are joined.
   * Called from one of these threads (a task that closes its own namespace), it neither
   * interrupts nor waits for that thread, which ends when its task returns.
   *
   * @throws IllegalStateException naming the threads that are still alive after
   *     {@value #CLOSE_WAIT_MILLIS} ms: a task that ignores interrupts keeps the namespace alive
   */
  @Override
  public void close() {
    List<ExecutorService> queued;
    ExecutorService cached;
    synchronized (this) {
      closed = true;
      queued = List.copyOf(singles);
      cached = executor;
    }
    queued.forEach(ExecutorService::shutdownNow); // fails what never ran; no task of a caller's runs there
    if (cached != null) {
      cached.shutdown(); // a SynchronousQueue holds no task; not shutdownNow(), which would interrupt this thread too
    }
    Thread self = Thread.currentThread();
    List<Thread> owned = new ArrayList<>(pooled);
    owned.remove(self);
    owned.forEach(Thread::interrupt);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
    try {
      for (Thread t : owned) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        t.join(Math.max(1, left));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // the caller wants to stop waiting: leave the rest to them
      return;
    }
    List<String> running = new ArrayList<>();
    for (Thread t : owned) {
      if (t.isAlive()) {
        running.add(t.getName() + " (" + t.getState() + ")");
      }
    }
    if (!running.isEmpty()) {
      throw new IllegalStateException(running.size() + " thread(s) still running in " + description + " "
          + running + " " + CLOSE_WAIT_MILLIS + " ms after close() interrupted them; they keep the namespace"
          + " alive. Let tasks given to call() or executor() end when interrupted.");
    }
  }
}
