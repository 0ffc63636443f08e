package dev.nsunit.testing;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits until something the test can observe holds: a socket listens, the kernel has removed a
 * link, a process has exited. Tests never assert on time ("speed lives in benchmarks"): the
 * bound only stops a wait for something that will never happen, so it is generous, and a wait
 * that reaches it fails with what it waited for and the last thing it saw.
 */
public final class Await {
  /** The bound of every wait that names none: far beyond anything a loaded machine needs. */
  public static final Duration DEFAULT_BOUND = Duration.ofSeconds(30);
  private static final long PAUSE_MILLIS = 10;

  private Await() {}

  /** Waits until {@code condition} holds, for at most {@link #DEFAULT_BOUND}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT_BOUND, condition, () -> "it never held");
  }

  /**
   * Waits until {@code condition} holds, for at most {@link #DEFAULT_BOUND}.
   *
   * @param what what the wait is for, as a failure message completes it: "waited 30 s for WHAT"
   * @param condition read again every few milliseconds; an exception it throws ends the wait
   * @param evidence what to show when the bound is reached, e.g. a namespace's snapshot
   */
  public static void until(String what, BooleanSupplier condition, Supplier<?> evidence) {
    until(what, DEFAULT_BOUND, condition, evidence);
  }

  /** As {@link #until(String, BooleanSupplier, Supplier)}, for at most {@code bound}. */
  public static void until(String what, Duration bound, BooleanSupplier condition, Supplier<?> evidence) {
    Objects.requireNonNull(evidence, "evidence");
    until(what, bound, condition::getAsBoolean, ok -> ok, ok -> evidence.get());
  }

  /**
   * Reads {@code probe} until {@code done} accepts what it returns, for at most
   * {@link #DEFAULT_BOUND}, and returns that value. On reaching the bound it fails with the last
   * value read, so a probe that returns what is still wrong (e.g. a list of leftovers) makes its
   * own failure message.
   */
  public static <T> T until(String what, Supplier<T> probe, Predicate<? super T> done) {
    return until(what, DEFAULT_BOUND, probe, done, value -> value);
  }

  /** As {@link #until(String, Supplier, Predicate)}, for at most {@code bound}. */
  public static <T> T until(String what, Duration bound, Supplier<T> probe, Predicate<? super T> done) {
    return until(what, bound, probe, done, value -> value);
  }

  /**
   * As {@link #until(String, Duration, Supplier, Predicate)}, failing with {@code evidence} of
   * the last value read rather than the value itself (e.g. a transcript instead of a record).
   */
  public static <T> T until(String what, Duration bound, Supplier<T> probe, Predicate<? super T> done,
      Function<? super T, ?> evidence) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (true) {
      T value = probe.get();
      if (done.test(value)) {
        return value;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("waited " + describe(bound) + " for " + what + "; last seen: " + evidence.apply(value));
      }
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what + "; last seen: " + evidence.apply(value), e);
      }
    }
  }

  private static String describe(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}
