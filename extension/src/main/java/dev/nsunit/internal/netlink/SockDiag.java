package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.INET_DIAG_SKV6ONLY;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_CLOSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_LISTEN;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_TIME_WAIT;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DESTROY;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.InetSocket;
import java.util.ArrayList;
import java.util.List;
import jnr.constants.platform.Errno;

/**
 * sock_diag (inet_diag) queries: TCP listeners and bound, unconnected UDP sockets, for both
 * address families. Java's server sockets are usually dual-stack AF_INET6 sockets, so both
 * families are always asked.
 */
public final class SockDiag implements AutoCloseable {
  private static final int ENOENT = Errno.ENOENT.intValue();
  private static final int EOPNOTSUPP = Errno.EOPNOTSUPP.intValue();

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

  /** Every TCP and UDP socket, in any state. Equivalent to: {@code ss -Htuna}. */
  public List<InetSocket> all() {
    List<InetSocket> out = new ArrayList<>();
    query(Libc.AF_INET, IPPROTO_TCP, ~0, out);
    query(Libc.AF_INET6, IPPROTO_TCP, ~0, out);
    query(Libc.AF_INET, IPPROTO_UDP, ~0, out);
    query(Libc.AF_INET6, IPPROTO_UDP, ~0, out);
    return out;
  }

  /**
   * Destroys every connected TCP socket of this namespace (all but listeners, TIME-WAIT and
   * closed ones) and returns how many: for a namespace whose scope has ended. An orphan (no
   * descriptor holds it any more) still sending data or a FIN no one acknowledged, as after a
   * partition, retransmits for minutes and, until it gives up, keeps its namespace alive; so does
   * a socket whose descriptor the JDK closed while a thread was still blocked on it (the close
   * completes when that thread returns, which a destroyed socket makes it do). Equivalent to:
   * {@code ss -K -t state connected}. Needs CONFIG_INET_DIAG_DESTROY; without it the kernel
   * answers EOPNOTSUPP, which ends the attempt quietly (the sockets then end on their own).
   */
  public int destroyConnections() {
    int destroyed = 0;
    int states = ~((1 << TCP_LISTEN) | (1 << TCP_TIME_WAIT) | (1 << TCP_CLOSE));
    for (int family : new int[] {Libc.AF_INET, Libc.AF_INET6}) {
      List<InetDiagMsg> sockets = socket.dump(m -> m.begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP,
          "ss -Htn state connected").struct(InetDiagReqV2.dump(family, IPPROTO_TCP, states)).end(), m -> {
            m.requirePayload(InetDiagMsg.SIZE);
            return InetDiagMsg.read(m.payload());
          });
      for (InetDiagMsg d : sockets) {
        try {
          socket.execute(m -> m.begin(SOCK_DESTROY, NLM_F_REQUEST | NLM_F_ACK, "ss -K (a connection of an ended scope)")
              .struct(new InetDiagReqV2(d.family(), IPPROTO_TCP, 0, ~0, d.id())).end());
          destroyed++;
        } catch (NetlinkException e) {
          if (e.errno() == EOPNOTSUPP) {
            return destroyed;
          }
          if (e.errno() != ENOENT) { // gone meanwhile
            throw e;
          }
        }
      }
    }
    return destroyed;
  }

  private void query(int family, int protocol, int states, List<InetSocket> out) {
    String what = (protocol == IPPROTO_TCP ? "ss -Ht" : "ss -Hu") + (states == ~0 ? "an" : "ln")
        + (family == Libc.AF_INET ? " -4" : " -6");
    out.addAll(socket.dump(m -> m.begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, what)
        .struct(InetDiagReqV2.dump(family, protocol, states)).end(), r -> decode(r, protocol)));
  }

  static InetSocket decode(Message m, int protocol) {
    if (m.type() != SOCK_DIAG_BY_FAMILY) {
      throw new NetlinkFormatException("expected SOCK_DIAG_BY_FAMILY, got " + m);
    }
    m.requirePayload(InetDiagMsg.SIZE);
    InetDiagMsg d = InetDiagMsg.read(m.payload());
    InetDiagSockId id = d.id();
    Attributes a = m.attributes(InetDiagMsg.SIZE);
    boolean v6only = d.family() == Libc.AF_INET6 && a.u8(INET_DIAG_SKV6ONLY, 0) != 0;
    return InetSocket.builder()
        .protocol(protocol == IPPROTO_TCP ? InetSocket.Protocol.TCP : InetSocket.Protocol.UDP)
        .local(id.src()).localPort(id.sport()).remote(id.dst()).remotePort(id.dport()).state(d.state())
        .v6Only(v6only).receiveQueue(Integer.toUnsignedLong(d.rqueue()))
        .sendQueue(Integer.toUnsignedLong(d.wqueue())).uid(d.uid()).inode(Integer.toUnsignedLong(d.inode()))
        .build();
  }

  /** Closes the socket; idempotent. */
  @Override
  public void close() {
    socket.close();
  }
}
