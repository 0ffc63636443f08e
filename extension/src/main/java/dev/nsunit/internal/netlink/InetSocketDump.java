package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.InetSocket;
import java.util.ArrayList;
import java.util.List;
import jnr.constants.platform.Errno;

/**
 * The inet sockets of one network namespace with their cookies, for both address families, in
 * three cuts that cost very differently: UDP sockets and TCP listeners (small hash tables), and
 * every other TCP socket, for which the kernel walks its whole connection hash table (shared by
 * all namespaces: about 1 ms for 262144 buckets, whatever the namespace holds). Unlike
 * {@link SockDiag}, which lists what listens, this also lists connected and closing sockets.
 */
public final class InetSocketDump implements AutoCloseable {
  /** {@code TCP_LISTEN}. */
  static final int TCP_LISTEN = 10;
  /** {@code TCP_TIME_WAIT}: a closed connection's remnant, which no process holds. */
  static final int TCP_TIME_WAIT = 6;
  /** {@code TCP_NEW_SYN_RECV}: a request socket, which no process holds either. */
  static final int TCP_NEW_SYN_RECV = 12;
  /** TCP_ESTABLISHED (1) to TCP_CLOSING (11), without TIME-WAIT and LISTEN. */
  static final int TCP_CONNECTION_STATES = ((1 << TCP_NEW_SYN_RECV) - 1) & ~(1 << TCP_TIME_WAIT) & ~(1 << TCP_LISTEN) & ~1;
  /** {@code idiag_timer} of a TIME-WAIT socket. */
  static final int TIMER_TIME_WAIT = 3;
  /** UDP uses TCP_ESTABLISHED (connected) and TCP_CLOSE (not connected). */
  static final int UDP_STATES = ((1 << TCP_NEW_SYN_RECV) - 1) & ~1;

  private static final int ALL_STATES = 0xffffffff;
  private static final int ENOENT = Errno.ENOENT.intValue();

  private final NetlinkSocket socket;

  private InetSocketDump(NetlinkSocket socket) {
    this.socket = socket;
  }

  /**
   * Every TCP and UDP socket of the namespace {@code sockDiag} (a NETLINK_SOCK_DIAG socket) lives
   * in, in any state, for both address families: listeners, connections (also closing ones, and
   * TIME-WAIT entries, which have no inode) and bound or connected UDP sockets. A protocol whose
   * sock_diag module the kernel lacks (ENOENT) contributes nothing. Equivalent to: {@code ss -Htuan}.
   */
  public static List<InetSocket> all(NetlinkSocket sockDiag) {
    List<InetSocket> out = new ArrayList<>();
    for (int protocol : new int[] {IPPROTO_TCP, IPPROTO_UDP}) {
      for (int family : new int[] {Libc.AF_INET, Libc.AF_INET6}) {
        String what = (protocol == IPPROTO_TCP ? "ss -Htan" : "ss -Huan") + (family == Libc.AF_INET ? " -4" : " -6");
        try {
          out.addAll(sockDiag.dump(m -> m.begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, what)
              .struct(InetDiagReqV2.dump(family, protocol, ALL_STATES)).end(), r -> SockDiag.decode(r, protocol)));
        } catch (NetlinkException e) {
          if (e.errno() != ENOENT) {
            throw e;
          }
          // no sock_diag handler for this protocol (udp_diag not built or loaded): no such sockets to list
        }
      }
    }
    return out;
  }

  /** Opens a sock_diag socket in the calling thread's network namespace. */
  public static InetSocketDump open() {
    return new InetSocketDump(NetlinkSocket.open(NETLINK_SOCK_DIAG));
  }

  /**
   * UDP sockets (IPv4, IPv6) and TCP listeners (IPv4, IPv6): cheap. Asking gives each of them a
   * cookie if it had none. Equivalent to: {@code ss -Huna -e; ss -Hltn -e}.
   */
  public List<SockDiagEntry> udpAndListeners() {
    List<SockDiagEntry> out = new ArrayList<>();
    query(Libc.AF_INET, IPPROTO_UDP, UDP_STATES, "ss -Huna -4 -e", out);
    query(Libc.AF_INET6, IPPROTO_UDP, UDP_STATES, "ss -Huna -6 -e", out);
    query(Libc.AF_INET, IPPROTO_TCP, 1 << TCP_LISTEN, "ss -Hltn -4 -e", out);
    query(Libc.AF_INET6, IPPROTO_TCP, 1 << TCP_LISTEN, "ss -Hltn -6 -e", out);
    return out;
  }

  /**
   * TCP sockets (IPv4, IPv6) that are neither listening nor in TIME-WAIT, including those whose
   * owner has closed them and that are still shutting down: costly, see above. Equivalent to:
   * {@code ss -Htn -e state connected exclude time-wait}.
   */
  public List<SockDiagEntry> tcpConnections() {
    List<SockDiagEntry> out = new ArrayList<>();
    query(Libc.AF_INET, IPPROTO_TCP, TCP_CONNECTION_STATES, "ss -Htn -4 -e", out);
    query(Libc.AF_INET6, IPPROTO_TCP, TCP_CONNECTION_STATES, "ss -Htn -6 -e", out);
    return out;
  }

  private void query(int family, int protocol, int states, String what, List<SockDiagEntry> out) {
    out.addAll(socket.dump(m -> m.begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, what)
        .struct(InetDiagReqV2.dump(family, protocol, states)).end(), r -> decode(r, protocol)));
  }

  /**
   * Decodes one reply, leaving out TIME-WAIT remnants: the kernel matches and reports those under
   * their substate (FIN-WAIT-2 when the connection's owner closed first and the peer has not yet),
   * but they are not sockets a process holds or held: the socket they replace was destroyed
   * already. They are the ones with the TIME-WAIT timer ({@code idiag_timer} 3).
   */
  private static SockDiagEntry decode(Message m, int protocol) {
    SockDiagEntry e = SockDiagEntry.decode(m, protocol);
    return protocol == IPPROTO_TCP && InetDiagMsg.read(m.payload()).timer() == TIMER_TIME_WAIT ? null : e;
  }

  /** Closes the socket; idempotent. */
  @Override
  public void close() {
    socket.close();
  }
}
