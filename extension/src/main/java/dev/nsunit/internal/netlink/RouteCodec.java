package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_GATEWAY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_OIF;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PREF;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PREFSRC;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PRIORITY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_TABLE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_F_CLONED;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Route;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Map;

/** Decoding of RTM_NEWROUTE messages. */
final class RouteCodec {
  private RouteCodec() {}

  /** Decodes a route, or returns {@code null} for a cloned (cache) entry, which ip route hides. */
  static Route decode(Message m, Map<Integer, String> names) {
    if (m.type() != RTM_NEWROUTE) {
      throw new NetlinkFormatException("expected RTM_NEWROUTE, got " + m);
    }
    m.requirePayload(RtMsg.SIZE);
    RtMsg header = RtMsg.read(m.payload());
    if ((header.flags() & RTM_F_CLONED) != 0) {
      return null;
    }
    boolean ipv6 = header.family() == Libc.AF_INET6;
    int dstLen = header.dstLen();
    Attributes a = m.attributes(RtMsg.SIZE);
    InetAddress dst = a.address(RTA_DST);
    if (dst == null) {
      dst = any(ipv6);
    }
    int width = dst.getAddress().length * 8;
    if (dstLen > width) { // checked here: IpPrefix would throw IllegalArgumentException
      throw new NetlinkFormatException("RTM_NEWROUTE rtm_dst_len " + dstLen + " exceeds the " + width
          + " bits of its destination address");
    }
    int oif = a.u32(RTA_OIF, 0);
    long metric = a.has(RTA_PRIORITY) ? Integer.toUnsignedLong(a.u32(RTA_PRIORITY, 0)) : -1;
    return Route.builder()
        .ipv6(ipv6).destination(new IpPrefix(dst, dstLen)).gateway(a.address(RTA_GATEWAY))
        .oif(oif).dev(oif == 0 ? null : AddressCodec.nameOf(oif, names))
        .scope(header.scope()).protocol(header.protocol()).type(header.type())
        .preferredSource(a.address(RTA_PREFSRC)).metric(metric)
        .table(a.u32(RTA_TABLE, header.table())).flags(header.flags())
        .preference(a.has(RTA_PREF) ? a.u8(RTA_PREF, 0) : -1)
        .build();
  }

  static InetAddress any(boolean ipv6) {
    try {
      return InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
