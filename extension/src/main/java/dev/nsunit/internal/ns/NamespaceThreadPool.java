package dev.nsunit.internal.ns;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The platform threads of one namespace: a factory whose threads join the namespace before
 * running their task, and a cached pool built from it. {@link #close()} stops the pool and waits
 * until its threads are gone; threads a caller made with {@link #threadFactory()} are the
 * caller's to stop.
 */
final class NamespaceThreadPool implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final String description;
  private final Runnable enter;
  private final Set<Thread> inside = ConcurrentHashMap.newKeySet();
  private final Set<Thread> pooled = ConcurrentHashMap.newKeySet();
  private ExecutorService executor; // guarded by this

  /**
   * @param description what the namespace is, for thread names
   * @param enter moves the calling thread into the namespace, or throws if it is closed
   */
  NamespaceThreadPool(String description, Runnable enter) {
    this.description = description;
    this.enter = enter;
  }

  /** Threads that enter the namespace before running their task. */
  ThreadFactory threadFactory() {
    return task -> {
      Thread t = new Thread(() -> {
        enter.run();
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

  /** Like {@link #threadFactory()}, for threads this pool owns and {@link #close()} joins. */
  ThreadFactory ownedThreadFactory(String prefix) {
    ThreadFactory factory = threadFactory();
    return task -> {
      Thread t = factory.newThread(task);
      t.setName(threadName(prefix));
      pooled.add(t);
      return t;
    };
  }

  private String threadName(String prefix) {
    return prefix + description.replace(' ', '-') + "-" + THREADS.incrementAndGet();
  }

  synchronized ExecutorService executor() {
    if (executor == null) {
      executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
          new SynchronousQueue<>(), ownedThreadFactory("nsunit-"));
    }
    return executor;
  }

  /** Runs {@code task} on a pool thread and rethrows its own exception unchanged. */
  <T> T call(Callable<T> task) throws Exception {
    Future<T> f = executor().submit(task);
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

  /** Threads of ours that are inside the namespace right now. */
  Set<Thread> liveThreads() {
    return Set.copyOf(inside);
  }

  @Override
  public void close() {
    ExecutorService ex;
    synchronized (this) {
      ex = executor;
    }
    List<Thread> owned = List.copyOf(pooled);
    if (ex == null && owned.isEmpty()) {
      return;
    }
    if (ex != null) {
      ex.shutdownNow();
    }
    try {
      if (ex != null && !ex.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("threads still running in " + description + " " + liveThreads() + " "
            + CLOSE_WAIT_MILLIS + " ms after close(); they keep the namespace alive");
      }
      for (Thread t : owned) {
        t.join(CLOSE_WAIT_MILLIS); // awaitTermination returns before the worker threads are gone
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
