package dev.nsunit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.InvocationInterceptor.Invocation;

/**
 * The one platform thread, inside the test's namespace, that runs {@code @BeforeEach}, the test
 * and {@code @AfterEach}. JUnit's own thread waits for it and never changes namespace; whatever
 * the body throws is rethrown unchanged, as JUnit's separate-thread timeout does.
 */
final class TestThread implements AutoCloseable {
  private static final long STOP_MILLIS = 5_000;

  private final String test;
  private final ExecutorService executor;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  TestThread(String test, ThreadFactory inside) {
    this.test = test;
    ThreadPoolExecutor pool = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new LinkedBlockingQueue<>(), task -> {
      Thread t = inside.newThread(task);
      threads.add(t);
      return t;
    });
    // started now, while JUnit still runs the other callbacks and resolves parameters, rather than
    // when the first method is handed over: the test waits less
    pool.prestartCoreThread();
    this.executor = pool;
  }

  /** Runs {@code invocation} on this thread and waits for it. */
  void run(Invocation<Void> invocation) throws Throwable {
    Future<?> f = executor.submit(() -> {
      try {
        invocation.proceed();
      } catch (Throwable t) {
        throw new Carrier(t);
      }
      return null;
    });
    try {
      f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Carrier ? cause.getCause() : cause;
    } catch (InterruptedException e) {
      // e.g. @Timeout interrupting JUnit's thread: stop the body too, then report the interrupt
      f.cancel(true);
      throw e;
    }
  }

  /** Interrupts the thread if busy and waits until it is gone. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      if (!executor.awaitTermination(STOP_MILLIS, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException("the thread running test " + test + " is still busy " + STOP_MILLIS
            + " ms after the test ended and ignores interrupts; its namespace stays alive until it ends");
      }
      for (Thread t : threads) {
        t.join(STOP_MILLIS); // the pool reports termination before its thread is gone
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Carries any Throwable out of the namespaced thread so it is rethrown unchanged. */
  private static final class Carrier extends Exception {
    private static final long serialVersionUID = 1L;

    Carrier(Throwable cause) {
      super(null, cause, false, false);
    }
  }
}
