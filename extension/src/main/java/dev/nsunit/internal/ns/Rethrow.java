package dev.nsunit.internal.ns;

/** Rethrows the failure of a task that ran on another thread, unchanged where its type allows. */
final class Rethrow {
  private Rethrow() {}

  /**
   * Throws {@code failure} itself if it is unchecked (a {@link RuntimeException} or an
   * {@link Error}) or a {@code checked}; returns normally otherwise, so the caller can wrap it.
   */
  static <X extends Exception> void ifUncheckedOr(Throwable failure, Class<X> checked) throws X {
    if (failure instanceof RuntimeException unchecked) {
      throw unchecked;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    if (checked.isInstance(failure)) {
      throw checked.cast(failure);
    }
  }
}
