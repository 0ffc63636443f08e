package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.INET_DIAG_MSG_LEN;
import static dev.nsunit.internal.netlink.NetlinkConstants.INET_DIAG_SKV6ONLY;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_CLOSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_LISTEN;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.InetSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * sock_diag (inet_diag) queries: TCP listeners and bound, unconnected UDP sockets, for both
 * address families. Java's server sockets are usually dual-stack AF_INET6 sockets, so both
 * families are always asked.
 */
public final class SockDiag implements AutoCloseable {
  private final NetlinkSocket socket;

  private SockDiag(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens a sock_diag socket in the calling thread's network namespace. */
  public static SockDiag open() {
    return new SockDiag(NetlinkSocket.open(NETLINK_SOCK_DIAG));
  }

  /** TCP listeners, IPv4 then IPv6. Equivalent to: {@code ss -Hltn}. */
  public List<InetSocket> tcpListeners() {
    List<InetSocket> out = new ArrayList<>();
    query(Libc.AF_INET, IPPROTO_TCP, 1 << TCP_LISTEN, out);
    query(Libc.AF_INET6, IPPROTO_TCP, 1 << TCP_LISTEN, out);
    return out;
  }

  /** Bound, unconnected UDP sockets (ss's UNCONN). Equivalent to: {@code ss -Hlun}. */
  public List<InetSocket> udpSockets() {
    List<InetSocket> out = new ArrayList<>();
    query(Libc.AF_INET, IPPROTO_UDP, 1 << TCP_CLOSE, out);
    query(Libc.AF_INET6, IPPROTO_UDP, 1 << TCP_CLOSE, out);
    return out;
  }

  /** TCP listeners then UDP sockets. Equivalent to: {@code ss -Hltnu}. */
  public List<InetSocket> listening() {
    List<InetSocket> out = tcpListeners();
    out.addAll(udpSockets());
    return out;
  }

  private void query(int family, int protocol, int states, List<InetSocket> out) {
    String what = protocol == IPPROTO_TCP
        ? (family == Libc.AF_INET ? "ss -Hltn -4" : "ss -Hltn -6")
        : (family == Libc.AF_INET ? "ss -Hlun -4" : "ss -Hlun -6");
    out.addAll(socket.dump(m -> {
      m.begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, what)
          .u8(family).u8(protocol).u8(0).u8(0).u32(states)
          .raw(new byte[48]) // inet_diag_sockid: match everything
          .end();
    }, r -> decode(r, protocol)));
  }

  static InetSocket decode(Message m, int protocol) {
    if (m.type() != SOCK_DIAG_BY_FAMILY) {
      throw new NetlinkFormatException("expected SOCK_DIAG_BY_FAMILY, got " + m);
    }
    m.requirePayload(INET_DIAG_MSG_LEN);
    ByteBuffer p = m.payload();
    int family = p.get(0) & 0xff;
    int state = p.get(1) & 0xff;
    int sport = ((p.get(4) & 0xff) << 8) | (p.get(5) & 0xff);
    int dport = ((p.get(6) & 0xff) << 8) | (p.get(7) & 0xff);
    int len = family == Libc.AF_INET6 ? 16 : 4;
    InetAddress src = address(p, 8, len);
    InetAddress dst = address(p, 24, len);
    long rq = Integer.toUnsignedLong(p.getInt(56));
    long wq = Integer.toUnsignedLong(p.getInt(60));
    int uid = p.getInt(64);
    long inode = Integer.toUnsignedLong(p.getInt(68));
    Attributes a = m.attributes(INET_DIAG_MSG_LEN);
    boolean v6only = family == Libc.AF_INET6 && a.u8(INET_DIAG_SKV6ONLY, 0) != 0;
    return InetSocket.builder()
        .protocol(protocol == IPPROTO_TCP ? InetSocket.Protocol.TCP : InetSocket.Protocol.UDP)
        .local(src).localPort(sport).remote(dst).remotePort(dport).state(state).v6Only(v6only)
        .receiveQueue(rq).sendQueue(wq).uid(uid).inode(inode)
        .build();
  }

  private static InetAddress address(ByteBuffer p, int offset, int len) {
    byte[] raw = new byte[len];
    p.get(offset, raw);
    try {
      // Inet6Address.getByAddress keeps ::ffff:a.b.c.d an IPv6 address (InetAddress.getByAddress
      // would turn it into IPv4): it is an AF_INET6 socket, and ss prints it as such.
      return len == 16 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Closes the socket; idempotent. */
  @Override
  public void close() {
    socket.close();
  }
}
