package dev.nsunit.internal.ns;

/**
 * Runs release steps one after another and keeps going when one fails: the first failure is
 * thrown at the end, later ones are attached to it as suppressed exceptions.
 */
public final class FailureCollector {
  private RuntimeException first;

  /** Runs {@code step}, recording its failure instead of throwing it. */
  public void run(Runnable step) {
    try {
      step.run();
    } catch (RuntimeException e) {
      add(e);
    }
  }

  /** Records {@code failure}. */
  public void add(RuntimeException failure) {
    if (first == null) {
      first = failure;
    } else if (failure != first) {
      first.addSuppressed(failure);
    }
  }

  /** Throws the first recorded failure, if any. */
  public void throwIfAny() {
    if (first != null) {
      throw first;
    }
  }
}
