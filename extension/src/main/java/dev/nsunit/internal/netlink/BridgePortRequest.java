package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_SETLINK;

/**
 * Cuts a bridge port off without removing it: one RTM_SETLINK of family AF_BRIDGE that sets the
 * port's STP state to disabled and flushes the forwarding-database entries learned on it. A
 * disabled port neither receives nor sends frames through the bridge, and with its entries gone
 * the bridge no longer steers a MAC address to it. Unlike {@code ip link set dev IF down} or
 * {@code nomaster}, which both wait for an RCU grace period under RTNL ({@code synchronize_net}),
 * this only changes the port's state and frees the entries through {@code call_rcu}.
 *
 * <pre>{@code
 * BridgePortRequest.disable(labVethIndex).sendOn(labRtnetlink);
 * }</pre>
 *
 * <p>The bridge keeps a disabled port disabled: it re-enables a port only when the port's carrier
 * comes back, and the carrier of a veth whose peer is going away does not.
 */
public final class BridgePortRequest {
  /** {@code AF_BRIDGE} (= PF_BRIDGE) from linux/socket.h: routes the request to the bridge's own handler. */
  static final int AF_BRIDGE = 7;
  /** {@code IFLA_PROTINFO} from linux/if_link.h: the nested bridge port attributes. */
  static final int IFLA_PROTINFO = 12;
  /** {@code IFLA_BRPORT_STATE} from linux/if_link.h: the port's STP state (u8). */
  static final int IFLA_BRPORT_STATE = 1;
  /** {@code IFLA_BRPORT_FLUSH} from linux/if_link.h: flag; deletes the port's learned FDB entries. */
  static final int IFLA_BRPORT_FLUSH = 24;
  /** {@code BR_STATE_DISABLED} from linux/if_bridge.h. */
  static final int BR_STATE_DISABLED = 0;

  private final int portIndex;

  private BridgePortRequest(int portIndex) {
    if (portIndex <= 0) {
      throw new IllegalArgumentException("a bridge port is named by its ifindex (> 0), not " + portIndex);
    }
    this.portIndex = portIndex;
  }

  /**
   * Disables the bridge port {@code portIndex} and flushes its learned addresses. Equivalent to:
   * {@code bridge link set dev IF state 0; ip link set dev IF type bridge_slave fdb_flush}.
   */
  public static BridgePortRequest disable(int portIndex) {
    return new BridgePortRequest(portIndex);
  }

  /** Sends the request on {@code rtnetlink} (which must be in the bridge's namespace) and waits for its ACK. */
  public void sendOn(Rtnetlink rtnetlink) {
    rtnetlink.socket().execute(this::encode);
  }

  void encode(MessageBuilder m) {
    m.begin(RTM_SETLINK, NLM_F_REQUEST | NLM_F_ACK, this)
        .struct(new IfInfoMsg(AF_BRIDGE, 0, portIndex, 0, 0));
    int protinfo = m.beginNested(IFLA_PROTINFO);
    m.attrU8(IFLA_BRPORT_STATE, BR_STATE_DISABLED).attr(IFLA_BRPORT_FLUSH, new byte[0]);
    m.endNested(protinfo).end();
  }

  /** The iproute2 commands this request is equivalent to. */
  @Override
  public String toString() {
    return "bridge link set dev if" + portIndex + " state 0; ip link set dev if" + portIndex
        + " type bridge_slave fdb_flush";
  }
}
