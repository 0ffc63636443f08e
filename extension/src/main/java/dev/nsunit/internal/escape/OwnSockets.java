package dev.nsunit.internal.escape;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.internal.netlink.SockDiagEntry;
import dev.nsunit.model.InetSocket;
import java.io.File;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The TCP and UDP sockets this process holds in one namespace, read through its own descriptors:
 * {@code /proc/self/fd} is the JVM's one descriptor table, shared by all its threads whatever
 * namespace each is in, and {@code getsockopt} on a descriptor tells the socket's family,
 * protocol, namespace ({@code SO_NETNS_COOKIE}) and cookie ({@code SO_COOKIE}, the same value
 * sock_diag reports). Unlike a sock_diag dump of every TCP socket, which walks the kernel's whole
 * connection hash table (about 1 ms for 262144 buckets), this costs a few system calls per
 * socket this JVM holds.
 */
final class OwnSockets {
  private static final File FDS = new File("/proc/self/fd");
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_V6ONLY = 26;
  private static final int TCP_ESTABLISHED = 1;
  private static final int TCP_CLOSE = 7;

  private OwnSockets() {}

  /**
   * The sockets this JVM holds in the namespace whose cookie is {@code namespaceCookie}, each
   * with its descriptor. Descriptors closed (or reused) while being read are left out.
   */
  static List<OwnSocket> in(long namespaceCookie) {
    String[] names = FDS.list();
    if (names == null) {
      throw new IllegalStateException("cannot list " + FDS);
    }
    List<OwnSocket> out = new ArrayList<>();
    for (String name : names) {
      OwnSocket s = read(Integer.parseInt(name), namespaceCookie);
      if (s != null) {
        out.add(s);
      }
    }
    return out;
  }

  /** The socket behind {@code fd} if it is a TCP or UDP socket in the namespace, else null. */
  private static OwnSocket read(int fd, long namespaceCookie) {
    try {
      int family = Libc.socketFamily(fd);
      if (family != Libc.AF_INET && family != Libc.AF_INET6) {
        return null;
      }
      int protocol = Libc.getsockoptInt(fd, Libc.SOL_SOCKET, Libc.SO_PROTOCOL);
      if ((protocol != Libc.IPPROTO_TCP && protocol != Libc.IPPROTO_UDP)
          || Libc.getsockoptLong(fd, Libc.SOL_SOCKET, Libc.SO_NETNS_COOKIE) != namespaceCookie) {
        return null;
      }
      long cookie = Libc.getsockoptLong(fd, Libc.SOL_SOCKET, Libc.SO_COOKIE);
      InetSocketAddress local = Libc.localAddress(fd);
      InetSocketAddress remote = Libc.remoteAddress(fd);
      boolean tcp = protocol == Libc.IPPROTO_TCP;
      int state = tcp ? Libc.tcpState(fd) : remote != null ? TCP_ESTABLISHED : TCP_CLOSE;
      boolean v6Only = family == Libc.AF_INET6 && Libc.getsockoptInt(fd, IPPROTO_IPV6, IPV6_V6ONLY) != 0;
      if (Libc.getsockoptLong(fd, Libc.SOL_SOCKET, Libc.SO_COOKIE) != cookie) {
        return null; // closed and the number reused while we read it
      }
      InetSocket socket = InetSocket.builder()
          .protocol(tcp ? InetSocket.Protocol.TCP : InetSocket.Protocol.UDP)
          .local(local.getAddress()).localPort(local.getPort())
          .remote(remote != null ? remote.getAddress() : any(local)).remotePort(remote != null ? remote.getPort() : 0)
          .state(state).v6Only(v6Only)
          .build();
      return new OwnSocket(fd, new SockDiagEntry(cookie, socket));
    } catch (NativeCallException e) {
      return null; // not a socket (ENOTSOCK), or closed meanwhile (EBADF)
    }
  }

  /** The wildcard address of {@code local}'s family: what sock_diag reports as an unconnected socket's remote end. */
  private static InetAddress any(InetSocketAddress local) {
    try {
      return InetAddress.getByAddress(new byte[local.getAddress() instanceof Inet6Address ? 16 : 4]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // unreachable: the length is 4 or 16
    }
  }

  /**
   * A socket this JVM holds.
   *
   * @param fd its descriptor
   * @param entry its cookie and its addresses, as a sock_diag dump would report them (without uid and inode)
   */
  record OwnSocket(int fd, SockDiagEntry entry) {}
}
