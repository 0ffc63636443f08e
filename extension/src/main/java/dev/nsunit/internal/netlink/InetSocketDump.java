package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.InetSocket;
import java.util.ArrayList;
import java.util.List;
import jnr.constants.platform.Errno;

/**
 * Every TCP and UDP socket of a namespace, in any state, through a sock_diag socket opened in
 * it: listeners, connections (also closing ones, and TIME-WAIT entries, which have no inode) and
 * bound or connected UDP sockets, for both address families. A protocol whose sock_diag module
 * the kernel lacks (ENOENT) contributes nothing.
 */
public final class InetSocketDump {
  private static final int ALL_STATES = 0xffffffff;
  private static final int ENOENT = Errno.ENOENT.intValue();

  private InetSocketDump() {}

  /**
   * Dumps every inet socket of the namespace {@code sockDiag} (a NETLINK_SOCK_DIAG socket) lives
   * in. Equivalent to: {@code ss -Htuan}.
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
}
