package dev.nsunit.internal.ns;

import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RunnableFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A thread pool whose workers join the namespace before their first task and check that it is
 * still open before every task.
 *
 * <p>Why not join in the thread factory: a worker that fails to join (the namespace was closed
 * while the pool was starting it) would end before {@link ThreadPoolExecutor} ran it. Its first
 * task would then never run and its {@code Future} never complete, so a caller of
 * {@link Netns#call} would wait forever, and the pool would count a worker that never existed,
 * so {@code awaitTermination} would time out although no thread is left. Here that worker fails
 * the task instead: its caller gets the reason ({@link NamespaceAccess#closed()}) and the pool
 * keeps its count.
 *
 * <p>{@link #shutdownNow()} fails the tasks it takes off the queue in the same way. Plain
 * {@link #shutdown()} is not enough for a pool with a queue: a worker that was being added when
 * the pool shut down is dropped ({@code addWorker} refuses a first task after shutdown), and the
 * tasks queued behind it wait for a worker that never comes.
 */
final class NamespaceExecutor extends ThreadPoolExecutor {
  private final NamespaceAccess access;
  private final Set<Thread> inside;

  /**
   * @param threads makes the workers; they must not join the namespace themselves
   * @param inside the threads that have joined the namespace; a worker is added when it joins,
   *     and {@code threads} must remove it when it ends
   */
  NamespaceExecutor(int core, int max, long keepAliveSeconds, BlockingQueue<Runnable> queue,
      ThreadFactory threads, NamespaceAccess access, Set<Thread> inside) {
    super(core, max, keepAliveSeconds, TimeUnit.SECONDS, queue, threads);
    this.access = access;
    this.inside = inside;
  }

  @Override
  protected <T> RunnableFuture<T> newTaskFor(Callable<T> callable) {
    return new Task<>(callable);
  }

  @Override
  protected <T> RunnableFuture<T> newTaskFor(Runnable runnable, T value) {
    return new Task<>(runnable, value);
  }

  /** Also completes every task that never ran with {@link NamespaceAccess#closed()}. */
  @Override
  public List<Runnable> shutdownNow() {
    List<Runnable> neverRan = super.shutdownNow();
    for (Runnable r : neverRan) {
      if (r instanceof Task<?> t) {
        t.fail(access.closed());
      }
    }
    return neverRan;
  }

  @Override
  protected void beforeExecute(Thread worker, Runnable task) {
    try {
      if (inside.contains(worker)) {
        access.requireOpen();
      } else {
        access.enter();
        inside.add(worker);
      }
    } catch (RuntimeException | Error e) {
      if (task instanceof Task<?> t) {
        t.fail(e); // completes the caller's Future; its run() is then a no-op
        return;
      }
      // a plain Runnable given to execute(): the pool ends this worker and reports e
      throw e;
    }
  }

  /** A task whose caller can be told why it never ran. */
  private static final class Task<T> extends FutureTask<T> {
    Task(Callable<T> callable) {
      super(callable);
    }

    Task(Runnable runnable, T value) {
      super(runnable, value);
    }

    void fail(Throwable reason) {
      setException(reason);
    }
  }
}
