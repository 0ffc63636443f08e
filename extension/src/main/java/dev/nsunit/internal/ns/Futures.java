package dev.nsunit.internal.ns;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for a task or thread when the wait must not be cut short. */
public final class Futures {
  private Futures() {}

  /**
   * {@link Future#get()}, however often the calling thread is interrupted meanwhile: for short,
   * bounded tasks whose result keeps some state consistent. The interrupt flag is set again
   * before returning if an interrupt came.
   *
   * @throws ExecutionException if the task failed
   */
  public static <T> T getUninterruptibly(Future<T> f) throws ExecutionException {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          return f.get();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * {@link Thread#join()}, however often the calling thread is interrupted meanwhile: for a short
   * thread that must be gone before the caller goes on (it holds a namespace, a socket). The
   * interrupt flag is set again before returning if an interrupt came.
   */
  public static void joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
