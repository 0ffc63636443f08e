package dev.nsunit;

import java.util.Optional;

/**
 * The kernel refused something nsunit asked of it: a system call or a netlink request failed.
 * The message reads like the command-line equivalent's, e.g. {@code setns(fd 12, CLONE_NEWNET)
 * failed: EPERM (Operation not permitted)} or {@code RTM_NEWLINK veth0 failed: EEXIST (File
 * exists)}, followed by the kernel's own explanation when it sent one.
 *
 * <p>{@link #errnoName()} is the stable part to branch on; the numeric {@link #errno()} is
 * architecture-specific. A failure that did not come with an errno (a reply that did not arrive
 * in time, or did not parse) has errno 0 and the name {@code "none"}.
 */
public final class KernelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errno;
  private final String errnoName;
  private final String kernelMessage;

  /**
   * Creates the exception.
   *
   * @param message what failed and why, in the form shown above
   * @param errno the errno value, or 0 when there is none
   * @param errnoName the symbolic name, e.g. {@code "EPERM"}
   * @param kernelMessage the kernel's extended-ack text, or {@code null}
   * @param cause the underlying failure, kept for its stack trace
   */
  KernelException(String message, int errno, String errnoName, String kernelMessage, Throwable cause) {
    super(message, cause);
    this.errno = errno;
    this.errnoName = errnoName;
    this.kernelMessage = kernelMessage;
  }

  /** The errno value, e.g. 1 for EPERM; 0 when the failure carried none. */
  public int errno() {
    return errno;
  }

  /** The symbolic errno name, e.g. {@code "EPERM"}; {@code "none"} when the failure carried none. */
  public String errnoName() {
    return errnoName;
  }

  /**
   * The kernel's extended-ack text for a netlink request, e.g. {@code "Attribute failed policy
   * validation"}, if it sent one.
   */
  public Optional<String> kernelMessage() {
    return Optional.ofNullable(kernelMessage);
  }
}
