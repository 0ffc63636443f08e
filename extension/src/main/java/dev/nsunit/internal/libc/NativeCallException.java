package dev.nsunit.internal.libc;

import jnr.constants.platform.Errno;

/**
 * A libc call failed. Carries the errno (number and symbolic name), the syscall and the argument
 * that identifies what it was applied to, e.g. {@code setns(fd 12, CLONE_NEWNET) failed: EPERM
 * (Operation not permitted)}.
 */
public final class NativeCallException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errno;
  private final String syscall;
  private final String argument;

  /**
   * Creates the exception.
   *
   * @param errno the errno value the call left behind
   * @param syscall the libc function, e.g. {@code "setns"}
   * @param argument what it was applied to, e.g. {@code "fd 12, CLONE_NEWNET"}
   */
  public NativeCallException(int errno, String syscall, String argument) {
    super(syscall + "(" + argument + ") failed: " + errnoName(errno) + " (" + describe(errno) + ")");
    this.errno = errno;
    this.syscall = syscall;
    this.argument = argument;
  }

  /** The errno value, e.g. 1 for EPERM. */
  public int errno() {
    return errno;
  }

  /** The symbolic errno name, e.g. {@code "EPERM"}; {@code "errno 123"} if jnr does not know it. */
  public String errnoName() {
    return errnoName(errno);
  }

  /** The libc function that failed. */
  public String syscall() {
    return syscall;
  }

  /** The argument the failing call was applied to, as text. */
  public String argument() {
    return argument;
  }

  /** Returns the symbolic name of an errno value, e.g. {@code ENOENT}. */
  public static String errnoName(int errno) {
    Errno e = Errno.valueOf(errno);
    return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "errno " + errno : e.name();
  }

  /** Returns libc's description of an errno value, e.g. {@code No such file or directory}. */
  public static String describe(int errno) {
    Errno e = Errno.valueOf(errno);
    return e == null || e == Errno.__UNKNOWN_CONSTANT__ ? "unknown error" : e.description();
  }
}
