package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_PROHIBIT;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_UNREACHABLE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTPROT_BOOT;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_MAIN;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.IpPrefix;

/**
 * A route of the main table that refuses what it matches: an {@code unreachable} route answers
 * with an ICMP "host unreachable" (the sender's socket fails with EHOSTUNREACH), a
 * {@code prohibit} route with "administratively prohibited". Traffic this namespace sends itself
 * fails at once, without a packet.
 *
 * <pre>{@code
 * RejectRouteRequest.unreachable(IpPrefix.parse("0.0.0.0/0")).sendOn(rtnetlink);
 * }</pre>
 */
public final class RejectRouteRequest {
  private final IpPrefix destination;
  private final int type;

  private RejectRouteRequest(IpPrefix destination, int type) {
    if (!destination.isNetwork()) {
      throw new IllegalArgumentException("route destination " + destination
          + " has host bits set; did you mean " + new IpPrefix(destination.network(), destination.length()) + "?");
    }
    this.destination = destination;
    this.type = type;
  }

  /** Equivalent to: {@code ip route add unreachable DST} ({@code ip -6 ...} for IPv6). */
  public static RejectRouteRequest unreachable(IpPrefix destination) {
    return new RejectRouteRequest(destination, RTN_UNREACHABLE);
  }

  /** Equivalent to: {@code ip route add prohibit DST} ({@code ip -6 ...} for IPv6). */
  public static RejectRouteRequest prohibit(IpPrefix destination) {
    return new RejectRouteRequest(destination, RTN_PROHIBIT);
  }

  /** Sends the request on {@code rtnetlink} and waits for its ACK. */
  public void sendOn(Rtnetlink rtnetlink) {
    rtnetlink.socket().execute(this::encode);
  }

  void encode(MessageBuilder m) {
    m.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, this)
        .struct(new RtMsg(destination.isIpv6() ? Libc.AF_INET6 : Libc.AF_INET, destination.length(), 0, 0,
            RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE, type, 0));
    if (destination.length() > 0) {
      m.attrAddress(RTA_DST, destination.address());
    }
    m.end();
  }

  /** The iproute2 command this request is equivalent to. */
  @Override
  public String toString() {
    return "ip " + (destination.isIpv6() ? "-6 " : "") + "route add "
        + (type == RTN_UNREACHABLE ? "unreachable " : "prohibit ")
        + (destination.length() == 0 ? "default" : destination.toString());
  }
}
