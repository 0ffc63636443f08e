package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_GATEWAY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_OIF;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PREFSRC;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PRIORITY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_TABLE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTNH_F_ONLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTPROT_BOOT;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_MAIN;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A unicast route to add to the main table, or to another one ({@link #table}).
 *
 * <pre>{@code
 * rtnetlink.addRoute(RouteRequest.defaultVia(InetAddresses.parse("172.17.0.1")));
 * rtnetlink.addRoute(RouteRequest.to(IpPrefix.parse("10.9.0.0/16")).dev(eth0).scopeLink().src(a).metric(50));
 * }</pre>
 */
public final class RouteRequest {
  private final IpPrefix destination;
  private InetAddress gateway;
  private int oif;
  private int scope = -1;
  private InetAddress src;
  private long metric = -1;
  private boolean onlink;
  private int table = RT_TABLE_MAIN;

  private RouteRequest(IpPrefix destination) {
    this.destination = destination;
  }

  /** A route to {@code destination}, which must be a network address. Equivalent to: {@code ip route add DST}. */
  public static RouteRequest to(IpPrefix destination) {
    if (!destination.isNetwork()) {
      throw new IllegalArgumentException("route destination " + destination
          + " has host bits set; did you mean " + new IpPrefix(destination.network(), destination.length()) + "?");
    }
    return new RouteRequest(destination);
  }

  /** The default route via {@code gateway}. Equivalent to: {@code ip route add default via GW}. */
  public static RouteRequest defaultVia(InetAddress gateway) {
    return new RouteRequest(new IpPrefix(RouteCodec.any(gateway instanceof Inet6Address), 0)).via(gateway);
  }

  /** The next hop; {@code via GW}. */
  public RouteRequest via(InetAddress gateway) {
    this.gateway = gateway;
    return this;
  }

  /** The output interface; {@code dev IFINDEX}. */
  public RouteRequest dev(int index) {
    this.oif = index;
    return this;
  }

  /** On-link scope, for a directly connected network; {@code scope link}. */
  public RouteRequest scopeLink() {
    this.scope = RT_SCOPE_LINK;
    return this;
  }

  /** Treats the gateway as directly reachable on the device; {@code onlink}. */
  public RouteRequest onlink() {
    this.onlink = true;
    return this;
  }

  /** The preferred source address; {@code src ADDR}. */
  public RouteRequest src(InetAddress src) {
    this.src = src;
    return this;
  }

  /** The routing table, 1..2^32-1; {@code table N}. The default is main (254). */
  public RouteRequest table(int table) {
    if (table == 0) {
      throw new IllegalArgumentException("table 0 is unspecified; pass a table number such as 100");
    }
    this.table = table;
    return this;
  }

  /** The metric; {@code metric N}. */
  public RouteRequest metric(long metric) {
    this.metric = metric;
    return this;
  }

  void encode(MessageBuilder m) {
    boolean ipv6 = destination.isIpv6();
    int sc = scope >= 0 ? scope : gateway == null && oif > 0 && !ipv6 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
    m.begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, this)
        .struct(RtMsg.unicast(destination, table < 256 ? table : 0, RTPROT_BOOT, sc).withFlags(onlink ? RTNH_F_ONLINK : 0));
    if (table != RT_TABLE_MAIN) {
      m.attrU32(RTA_TABLE, table);
    }
    if (destination.length() > 0) {
      m.attrAddress(RTA_DST, destination.address());
    }
    if (gateway != null) {
      m.attrAddress(RTA_GATEWAY, gateway);
    }
    if (oif > 0) {
      m.attrU32(RTA_OIF, oif);
    }
    if (src != null) {
      m.attrAddress(RTA_PREFSRC, src);
    }
    if (metric >= 0) {
      m.attrU32(RTA_PRIORITY, (int) metric);
    }
    m.end();
  }

  /** The iproute2 command this request is equivalent to. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ip route add ")
        .append(destination.length() == 0 ? "default" : destination.toString());
    if (gateway != null) {
      sb.append(" via ").append(InetAddresses.format(gateway));
    }
    if (oif > 0) {
      sb.append(" dev if").append(oif);
    }
    if (scope == RT_SCOPE_LINK) {
      sb.append(" scope link");
    }
    if (src != null) {
      sb.append(" src ").append(InetAddresses.format(src));
    }
    if (metric >= 0) {
      sb.append(" metric ").append(metric);
    }
    if (onlink) {
      sb.append(" onlink");
    }
    if (table != RT_TABLE_MAIN) {
      sb.append(" table ").append(table);
    }
    return sb.toString();
  }
}
