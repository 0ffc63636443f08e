package dev.nsunit.internal.libc;

/**
 * A resource limit as {@code getrlimit} returns it ({@code struct rlimit}).
 *
 * @param soft the limit the kernel enforces; a process may raise it up to {@code hard}
 * @param hard the ceiling; only a privileged process may raise it
 */
public record ResourceLimit(long soft, long hard) {
  /** {@code RLIM_INFINITY}: no limit. */
  public static final long INFINITY = -1L;

  /** Whether the soft limit is below the hard one, so that the process itself could raise it. */
  public boolean softBelowHard() {
    return soft != INFINITY && (hard == INFINITY || Long.compareUnsigned(soft, hard) < 0);
  }

  /** {@code value} as {@code ulimit} writes it: a number, or {@code unlimited}. */
  public static String format(long value) {
    return value == INFINITY ? "unlimited" : Long.toUnsignedString(value);
  }
}
