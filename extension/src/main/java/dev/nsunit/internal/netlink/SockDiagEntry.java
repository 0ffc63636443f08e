package dev.nsunit.internal.netlink;

import dev.nsunit.model.InetSocket;
import java.util.Objects;

/**
 * One inet socket as sock_diag reports it, in a dump or a destroy event, with the kernel's socket
 * cookie: unlike the inode, which a destroy event does not carry, the cookie identifies a socket
 * in both, and the kernel never reuses it.
 *
 * @param cookie {@code idiag_cookie}: assigned on first use (a dump, {@code SO_COOKIE}, or the
 *     socket's destruction), then fixed for the socket's life
 * @param socket the socket's protocol, state, addresses, and (in dumps only) uid and inode
 */
public record SockDiagEntry(long cookie, InetSocket socket) {
  /** Checks that the socket is present. */
  public SockDiagEntry {
    Objects.requireNonNull(socket, "socket");
  }

  /** Decodes a SOCK_DIAG_BY_FAMILY message about a {@code protocol} (IPPROTO_TCP or IPPROTO_UDP) socket. */
  static SockDiagEntry decode(Message m, int protocol) {
    InetSocket socket = SockDiag.decode(m, protocol); // checks the type and the payload's length
    return new SockDiagEntry(InetDiagMsg.read(m.payload()).id().cookie(), socket);
  }
}
