package dev.nsunit.internal.ns;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;

/** Waiting for a task on another thread when the wait must not be cut short. */
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
}
