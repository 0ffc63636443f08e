package dev.nsunit.internal.netlink;

import dev.nsunit.internal.libc.NativeCallException;

/**
 * A netlink request failed: the kernel answered with an error (errno plus its extended-ack text,
 * if any), did not answer in time, or answered with bytes that do not parse.
 */
public class NetlinkException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int errno;
  private final String kernelMessage;

  /** A kernel error reply to {@code request}. */
  public NetlinkException(String request, int errno, String kernelMessage) {
    super(request + " failed: " + NativeCallException.errnoName(errno) + " ("
        + NativeCallException.describe(errno) + ")"
        + (kernelMessage == null || kernelMessage.isEmpty() ? "" : "; kernel says: " + kernelMessage));
    this.errno = errno;
    this.kernelMessage = kernelMessage;
  }

  /** A failure without an errno, such as a timeout or malformed reply. */
  public NetlinkException(String message) {
    super(message);
    this.errno = 0;
    this.kernelMessage = null;
  }

  /** The kernel's errno, or 0 when the failure did not come from a kernel error reply. */
  public int errno() {
    return errno;
  }

  /** The kernel's extended-ack text, or {@code null} when it sent none. */
  public String kernelMessage() {
    return kernelMessage;
  }
}
