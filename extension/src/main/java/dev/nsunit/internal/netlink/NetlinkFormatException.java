package dev.nsunit.internal.netlink;

/** Bytes that claim to be netlink but do not parse: truncated, misaligned or garbage. */
public final class NetlinkFormatException extends NetlinkException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception; the message says where in the buffer and what was wrong. */
  public NetlinkFormatException(String message) {
    super("malformed netlink data: " + message);
  }
}
