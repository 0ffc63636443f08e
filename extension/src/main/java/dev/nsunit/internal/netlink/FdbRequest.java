package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_LLADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_APPEND;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWNEIGH;

import dev.nsunit.model.InetAddresses;
import java.net.InetAddress;

/**
 * A forwarding-database entry of a VXLAN device that sends what it floods (broadcast, unknown
 * unicast, multicast) to one more remote VTEP: head-end replication, as Docker's overlay driver
 * programs it. Equivalent to: {@code bridge fdb append 00:00:00:00:00:00 dev VXLAN dst REMOTE}.
 */
public final class FdbRequest {
  /** {@code AF_BRIDGE} from linux/socket.h. */
  static final int AF_BRIDGE = 7;
  /** {@code NUD_NOARP | NUD_PERMANENT} from linux/neighbour.h. */
  static final int STATE_PERMANENT = 0x40 | 0x80;
  /** {@code NTF_SELF} from linux/neighbour.h: the entry is the device's own (the VXLAN's), not its master's. */
  static final int NTF_SELF = 0x02;

  private final int vxlanIndex;
  private final InetAddress remote;

  private FdbRequest(int vxlanIndex, InetAddress remote) {
    this.vxlanIndex = vxlanIndex;
    this.remote = remote;
  }

  /** Floods to {@code remote} too, through the VXLAN device {@code vxlanIndex}. */
  public static FdbRequest floodTo(int vxlanIndex, InetAddress remote) {
    return new FdbRequest(vxlanIndex, remote);
  }

  /** Sends the request on {@code rtnetlink} and waits for its ACK. */
  public void sendOn(Rtnetlink rtnetlink) {
    rtnetlink.socket().execute(this::encode);
  }

  void encode(MessageBuilder m) {
    m.begin(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND, this)
        .struct(new NdMsg(AF_BRIDGE, vxlanIndex, STATE_PERMANENT, NTF_SELF, 0))
        .attr(NDA_LLADDR, new byte[6])
        .attrAddress(NDA_DST, remote)
        .end();
  }

  @Override
  public String toString() {
    return "bridge fdb append 00:00:00:00:00:00 dev if" + vxlanIndex + " dst " + InetAddresses.format(remote);
  }
}
