package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.KernelBytes.ip;
import static dev.nsunit.internal.netlink.KernelBytes.mac;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_FLAGS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_NODAD;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_NOPREFIXROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_PERMANENT;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_TENTATIVE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LABEL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_LOOPBACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_LOWER_UP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_MULTICAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_RUNNING;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_UP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINK_NETNSID;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MASTER;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MTU;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_OPERSTATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_QDISC;
import static dev.nsunit.internal.netlink.NetlinkConstants.INET_DIAG_SKV6ONLY;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_LLADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLA_F_NESTED;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSGERR_ATTR_MSG;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSGERR_ATTR_OFFS;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_ERROR;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK_TLVS;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CAPPED;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_MULTI;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_GATEWAY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_OIF;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PREFSRC;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_PRIORITY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_TABLE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_F_CLONED;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWNEIGH;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_UNICAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTPROT_BOOT;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTPROT_KERNEL;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_HOST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_MAIN;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_CLOSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_LISTEN;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.Address;
import dev.nsunit.model.InetSocket;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import dev.nsunit.model.Neighbour;
import dev.nsunit.model.Route;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Decodes replies laid out byte by byte as the kernel sends them (see {@link KernelBytes}) and
 * checks the model records field by field and their iproute2-like {@code toString()}s.
 */
class ReplyDecodingTests {
  private static final int EINVAL = Errno.EINVAL.intValue();
  private static final int EEXIST = Errno.EEXIST.intValue();
  private static final int EPERM = Errno.EPERM.intValue();
  private static final int ARPHRD_ETHER = 1;
  private static final int ARPHRD_LOOPBACK = 772;
  private static final int IF_OPER_UNKNOWN = 0;
  private static final int IF_OPER_UP = 6;
  private static final int IFA_CACHEINFO = 6;
  private static final int INET_DIAG_SHUTDOWN = 8;
  private static final int AF_BRIDGE = 7;
  private static final int NUD_INCOMPLETE = 0x01;
  private static final int NUD_REACHABLE = 0x02;
  private static final int NUD_PERMANENT = 0x80;
  private static final int ETHER_UP = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;
  private static final Map<Integer, String> NAMES = Map.of(1, "lo", 7, "eth0");

  // ---- Fixtures, shared with GarbageInputTests as seeds for mutation ----

  /** eth0 (ifindex 7): a veth enslaved to bridge 3 whose peer is ifindex 8. */
  static KernelBytes vethLink() {
    return link(new KernelBytes(), 7, "eth0", "veth", ETHER_UP, "02:42:ac:11:00:02", 3, 8, -1).end();
  }

  private static KernelBytes link(KernelBytes k, int index, String name, String kind, int flags,
      String mac, int master, int link, int linkNetnsId) {
    k.message(RTM_NEWLINK, NLM_F_MULTI, 1)
        .u8(0).u8(0).u16(ARPHRD_ETHER).u32(index).u32(flags).u32(0) // struct ifinfomsg
        .attrString(IFLA_IFNAME, name).attrU32(IFLA_MTU, 1500).attrString(IFLA_QDISC, "noqueue")
        .attrU8(IFLA_OPERSTATE, IF_OPER_UP)
        .attr(IFLA_ADDRESS, mac(mac)).attr(IFLA_BROADCAST, mac("ff:ff:ff:ff:ff:ff"));
    if (master != 0) {
      k.attrU32(IFLA_MASTER, master);
    }
    if (link != 0) {
      k.attrU32(IFLA_LINK, link);
    }
    if (linkNetnsId >= 0) {
      k.attrU32(IFLA_LINK_NETNSID, linkNetnsId);
    }
    int info = k.nest(IFLA_LINKINFO | NLA_F_NESTED);
    k.attrString(IFLA_INFO_KIND, kind);
    return k.endNest(info);
  }

  static KernelBytes ipv4Address() {
    return new KernelBytes().message(RTM_NEWADDR, NLM_F_MULTI, 2)
        .u8(Libc.AF_INET).u8(16).u8(IFA_F_PERMANENT).u8(RT_SCOPE_UNIVERSE).u32(7) // struct ifaddrmsg
        .attrAddress(IFA_ADDRESS, ip("172.17.0.2")).attrAddress(IFA_LOCAL, ip("172.17.0.2"))
        .attrAddress(IFA_BROADCAST, ip("172.17.255.255")).attrString(IFA_LABEL, "eth0")
        .attrU32(IFA_FLAGS, IFA_F_PERMANENT).attr(IFA_CACHEINFO, new byte[16]).end();
  }

  static KernelBytes ipv6Address() {
    int flags = IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_NOPREFIXROUTE;
    return new KernelBytes().message(RTM_NEWADDR, NLM_F_MULTI, 2)
        .u8(Libc.AF_INET6).u8(64).u8(flags & 0xff).u8(RT_SCOPE_UNIVERSE).u32(7)
        .attrAddress(IFA_ADDRESS, ip("fd00::2")).attr(IFA_CACHEINFO, new byte[16])
        .attrU32(IFA_FLAGS, flags).end();
  }

  static KernelBytes defaultRoute() {
    return new KernelBytes().message(RTM_NEWROUTE, NLM_F_MULTI, 3)
        .u8(Libc.AF_INET).u8(0).u8(0).u8(0).u8(RT_TABLE_MAIN).u8(RTPROT_BOOT).u8(RT_SCOPE_UNIVERSE)
        .u8(RTN_UNICAST).u32(0) // struct rtmsg
        .attrU32(RTA_TABLE, RT_TABLE_MAIN).attrAddress(RTA_GATEWAY, ip("172.17.0.1")).attrU32(RTA_OIF, 7)
        .end();
  }

  static KernelBytes linkRoute() {
    return route(Libc.AF_INET, 16, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_LINK, RTN_UNICAST, 0)
        .attrU32(RTA_TABLE, RT_TABLE_MAIN).attrAddress(RTA_DST, ip("172.17.0.0"))
        .attrAddress(RTA_PREFSRC, ip("172.17.0.2")).attrU32(RTA_OIF, 7).end();
  }

  private static KernelBytes route(int family, int dstLen, int table, int protocol, int scope, int type, int flags) {
    return new KernelBytes().message(RTM_NEWROUTE, NLM_F_MULTI, 3)
        .u8(family).u8(dstLen).u8(0).u8(0).u8(table).u8(protocol).u8(scope).u8(type).u32(flags);
  }

  static KernelBytes reachableNeighbour() {
    return neighbour(Libc.AF_INET, NUD_REACHABLE).attrAddress(NDA_DST, ip("172.17.0.1"))
        .attr(NDA_LLADDR, mac("02:42:ac:11:00:01")).end();
  }

  private static KernelBytes neighbour(int family, int state) {
    return new KernelBytes().message(RTM_NEWNEIGH, NLM_F_MULTI, 4)
        .u8(family).u8(0).u16(0).u32(7).u16(state).u8(0).u8(RTN_UNICAST); // struct ndmsg
  }

  /** A Java-style TCP listener: AF_INET6 wildcard without IPV6_V6ONLY. */
  static KernelBytes dualStackListener(int port) {
    return diag(Libc.AF_INET6, TCP_LISTEN, port, ip("::"), 0, 50, 1000, 123456)
        .attrU8(INET_DIAG_SHUTDOWN, 0).attrU8(INET_DIAG_SKV6ONLY, 0).end();
  }

  /** An inet_diag_msg: the sockid's ports and addresses are in network byte order. */
  private static KernelBytes diag(int family, int state, int port, InetAddress local, int rq, int wq,
      int uid, int inode) {
    return new KernelBytes().message(SOCK_DIAG_BY_FAMILY, NLM_F_MULTI, 5)
        .u8(family).u8(state).u8(0).u8(0)
        .be16(port).be16(0).address(local, 16).raw(new byte[16]) // sport, dport, src, dst (unconnected)
        .u32(0).u32(0xdeadbeef).u32(0xcafe) // idiag_if, idiag_cookie[2]
        .u32(0).u32(rq).u32(wq).u32(uid).u32(inode); // expires, rqueue, wqueue, uid, inode
  }

  /** The kernel's answer to a failed request on a socket with NETLINK_CAP_ACK and NETLINK_EXT_ACK. */
  static KernelBytes cappedErrorWithText(String text) {
    return new KernelBytes().message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9)
        .u32(-EINVAL)
        .u32(48).u16(RTM_NEWLINK).u16(NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL).u32(9).u32(0)
        .attrString(NLMSGERR_ATTR_MSG, text).attrU32(NLMSGERR_ATTR_OFFS, 32).end();
  }

  @Nested
  class LinkReplies {
    @Test
    void vethEnslavedToABridgeDecodesEveryField() {
      LinkCodec.Raw raw = LinkCodec.decode(vethLink().single());

      assertThat(raw).isEqualTo(new LinkCodec.Raw(7, "eth0", "veth", ARPHRD_ETHER, ETHER_UP, 1500,
          "02:42:ac:11:00:02", "ff:ff:ff:ff:ff:ff", "UP", 3, 8, -1, "noqueue"));
    }

    @Test
    void resolveNamesMasterAndSameNamespacePeer() {
      KernelBytes dump = link(new KernelBytes(), 7, "eth0", "veth", ETHER_UP, "02:42:ac:11:00:02", 3, 8, -1).end();
      link(dump, 3, "nsunit0", "bridge", ETHER_UP, "02:42:ac:11:00:01", 0, 0, -1).end();
      link(dump, 8, "veth0", "veth", ETHER_UP, "02:42:ac:11:00:08", 3, 7, -1).end();

      List<Link> links = LinkCodec.resolve(dump.parse().stream().map(LinkCodec::decode).toList());

      assertThat(links).extracting(Link::name).containsExactly("eth0", "nsunit0", "veth0");
      Link eth0 = links.get(0);
      assertThat(eth0.master()).contains("nsunit0");
      assertThat(eth0.linkName()).contains("veth0");
      assertThat(eth0.isUp()).isTrue();
      assertThat(eth0.isLowerUp()).isTrue();
      assertThat(eth0.isLoopback()).isFalse();
      assertThat(eth0).hasToString("7: eth0@veth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue"
          + " master nsunit0 state UP type veth\n    link/ether 02:42:ac:11:00:02 brd ff:ff:ff:ff:ff:ff");
      assertThat(links.get(1).master()).isEmpty();
      assertThat(links.get(1)).hasToString("3: nsunit0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500"
          + " qdisc noqueue state UP type bridge\n    link/ether 02:42:ac:11:00:01 brd ff:ff:ff:ff:ff:ff");
    }

    @Test
    void peerInAnotherNamespaceIsShownByIfindexLikeIpLink() {
      KernelBytes dump = link(new KernelBytes(), 2, "eth0", "veth", ETHER_UP, "02:42:ac:11:00:02", 0, 8, 0).end();
      // An unrelated ifindex 8 in this namespace must not be mistaken for the peer.
      link(dump, 8, "other", "bridge", ETHER_UP, "02:42:ac:11:00:09", 0, 0, -1).end();

      Link eth0 = LinkCodec.resolve(dump.parse().stream().map(LinkCodec::decode).toList()).get(0);

      assertThat(eth0.linkNetnsId()).isZero();
      assertThat(eth0.linkName()).isEmpty();
      assertThat(eth0.displayName()).isEqualTo("eth0@if8");
    }

    @Test
    void loopbackWithoutLinkInfoHasNoKind() {
      Message m = new KernelBytes().message(RTM_NEWLINK, 0, 1)
          .u8(0).u8(0).u16(ARPHRD_LOOPBACK).u32(1).u32(IFF_LOOPBACK | IFF_UP | IFF_RUNNING | IFF_LOWER_UP).u32(0)
          .attrString(IFLA_IFNAME, "lo").attrU32(IFLA_MTU, 65536).attrString(IFLA_QDISC, "noqueue")
          .attrU8(IFLA_OPERSTATE, IF_OPER_UNKNOWN).attr(IFLA_ADDRESS, new byte[6]).attr(IFLA_BROADCAST, new byte[6])
          .end().single();

      Link lo = LinkCodec.resolve(List.of(LinkCodec.decode(m))).get(0);

      assertThat(lo.kind()).isEmpty();
      assertThat(lo.isLoopback()).isTrue();
      assertThat(lo.masterIndex()).isZero();
      assertThat(lo).hasToString("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 qdisc noqueue state UNKNOWN\n"
          + "    link/loopback 00:00:00:00:00:00 brd 00:00:00:00:00:00");
    }
  }

  @Nested
  class AddressReplies {
    @Test
    void ipv4WithLocalBroadcastAndLabel() {
      Address a = AddressCodec.decode(ipv4Address().single(), NAMES);

      assertThat(a).isEqualTo(Address.builder().index(7).interfaceName("eth0").address(ip("172.17.0.2"))
          .prefixLength(16).broadcast(ip("172.17.255.255")).scope(RT_SCOPE_UNIVERSE).flags(IFA_F_PERMANENT)
          .label("eth0").build());
      assertThat(a.isIpv4()).isTrue();
      assertThat(a.prefix()).isEqualTo(IpPrefix.parse("172.17.0.2/16"));
      assertThat(a).hasToString("inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0");
    }

    @Test
    void ipv4PointToPointUsesIfaLocalNotThePeerInIfaAddress() {
      Message m = new KernelBytes().message(RTM_NEWADDR, 0, 2)
          .u8(Libc.AF_INET).u8(32).u8(IFA_F_PERMANENT).u8(RT_SCOPE_UNIVERSE).u32(7)
          .attrAddress(IFA_ADDRESS, ip("192.0.2.2")).attrAddress(IFA_LOCAL, ip("192.0.2.1")).end().single();

      Address a = AddressCodec.decode(m, NAMES);

      assertThat(a.address()).isEqualTo(ip("192.0.2.1"));
      assertThat(a.broadcast()).isEmpty();
      assertThat(a.label()).isEmpty();
      assertThat(a).hasToString("inet 192.0.2.1/32 scope global eth0");
    }

    @Test
    void ipv6FlagsComeFromIfaFlagsWhichHoldsBitsAboveEight() {
      Address a = AddressCodec.decode(ipv6Address().single(), NAMES);

      assertThat(a.address()).isEqualTo(ip("fd00::2"));
      assertThat(a.prefixLength()).isEqualTo(64);
      assertThat(a.flags()).isEqualTo(IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
      assertThat(a.isIpv6()).isTrue();
      assertThat(a.isTentative()).isFalse();
      assertThat(a.flagNames()).containsExactly("nodad", "noprefixroute");
      assertThat(a).hasToString("inet6 fd00::2/64 scope global nodad noprefixroute");
    }

    @Test
    void withoutIfaFlagsTheHeaderByteIsUsed() {
      Message m = new KernelBytes().message(RTM_NEWADDR, 0, 2)
          .u8(Libc.AF_INET6).u8(64).u8(IFA_F_TENTATIVE).u8(RT_SCOPE_LINK).u32(1)
          .attrAddress(IFA_ADDRESS, ip("fe80::42:acff:fe11:2")).end().single();

      Address a = AddressCodec.decode(m, NAMES);

      assertThat(a.isTentative()).isTrue();
      assertThat(a.interfaceName()).isEqualTo("lo");
      assertThat(a).hasToString("inet6 fe80::42:acff:fe11:2/64 scope link tentative dynamic");
    }
  }

  @Nested
  class RouteReplies {
    @Test
    void defaultRouteViaGateway() {
      Route r = RouteCodec.decode(defaultRoute().single(), NAMES);

      assertThat(r).isEqualTo(Route.builder().ipv6(false).gateway(ip("172.17.0.1")).oif(7).dev("eth0")
          .scope(RT_SCOPE_UNIVERSE).protocol(RTPROT_BOOT).type(RTN_UNICAST).metric(-1).table(RT_TABLE_MAIN).build());
      assertThat(r.destination()).isEqualTo(IpPrefix.parse("0.0.0.0/0"));
      assertThat(r.isDefault()).isTrue();
      assertThat(r).hasToString("default via 172.17.0.1 dev eth0");
    }

    @Test
    void linkRouteWithPreferredSource() {
      Route r = RouteCodec.decode(linkRoute().single(), NAMES);

      assertThat(r.destination()).isEqualTo(IpPrefix.parse("172.17.0.0/16"));
      assertThat(r.gateway()).isEmpty();
      assertThat(r.preferredSource()).contains(ip("172.17.0.2"));
      assertThat(r.isDefault()).isFalse();
      assertThat(r).hasToString("172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2");
    }

    @Test
    void clonedCacheEntryIsSkippedLikeIpRouteDoes() {
      Message m = route(Libc.AF_INET, 32, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, RTN_UNICAST, RTM_F_CLONED)
          .attrAddress(RTA_DST, ip("172.17.0.9")).attrU32(RTA_OIF, 7).end().single();

      assertThat(RouteCodec.decode(m, NAMES)).isNull();
    }

    @Test
    void ipv6RouteWithMetric() {
      Message m = route(Libc.AF_INET6, 64, RT_TABLE_MAIN, RTPROT_KERNEL, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0)
          .attrU32(RTA_TABLE, RT_TABLE_MAIN).attrAddress(RTA_DST, ip("fd00::")).attrU32(RTA_PRIORITY, 256)
          .attrU32(RTA_OIF, 7).end().single();

      Route r = RouteCodec.decode(m, NAMES);

      assertThat(r.ipv6()).isTrue();
      assertThat(r.metric()).isEqualTo(256);
      assertThat(r).hasToString("fd00::/64 dev eth0 proto kernel metric 256");
    }

    @Test
    void localTableHostRoute() {
      Message m = route(Libc.AF_INET, 32, RT_TABLE_LOCAL, RTPROT_KERNEL, RT_SCOPE_HOST, RTN_LOCAL, 0)
          .attrU32(RTA_TABLE, RT_TABLE_LOCAL).attrAddress(RTA_DST, ip("127.0.0.1"))
          .attrAddress(RTA_PREFSRC, ip("127.0.0.1")).attrU32(RTA_OIF, 1).end().single();

      assertThat(RouteCodec.decode(m, NAMES))
          .hasToString("local 127.0.0.1 dev lo table local proto kernel scope host src 127.0.0.1");
    }

    @Test
    void rtaTableOverridesTheEightBitHeaderField() {
      int rtTableCompat = 252;
      Message m = route(Libc.AF_INET, 24, rtTableCompat, 4, RT_SCOPE_UNIVERSE, RTN_UNICAST, 0)
          .attrU32(RTA_TABLE, 1000).attrAddress(RTA_DST, ip("198.51.100.0"))
          .attrAddress(RTA_GATEWAY, ip("172.17.0.1")).attrU32(RTA_PRIORITY, 0xfffffffe).end().single();

      Route r = RouteCodec.decode(m, NAMES);

      assertThat(r.table()).isEqualTo(1000);
      assertThat(r.metric()).as("RTA_PRIORITY is unsigned").isEqualTo(4294967294L);
      assertThat(r).hasToString("198.51.100.0/24 via 172.17.0.1 table 1000 proto static metric 4294967294");
    }
  }

  @Nested
  class NeighbourReplies {
    @Test
    void reachableIpv4Neighbour() {
      Neighbour n = NeighbourCodec.decode(reachableNeighbour().single(), NAMES);

      assertThat(n).isEqualTo(Neighbour.builder().address(ip("172.17.0.1")).index(7).dev("eth0")
          .mac("02:42:ac:11:00:01").state(NUD_REACHABLE).build());
      assertThat(n).hasToString("172.17.0.1 dev eth0 lladdr 02:42:ac:11:00:01 REACHABLE");
    }

    @Test
    void unresolvedEntryHasNoLinkLayerAddress() {
      Message m = neighbour(Libc.AF_INET6, NUD_INCOMPLETE).attrAddress(NDA_DST, ip("fd00::9")).end().single();

      Neighbour n = NeighbourCodec.decode(m, NAMES);

      assertThat(n.mac()).isEmpty();
      assertThat(n).hasToString("fd00::9 dev eth0 INCOMPLETE");
    }

    @Test
    void bridgeFdbEntryWithoutIpAddressIsSkipped() {
      Message m = neighbour(AF_BRIDGE, NUD_PERMANENT).attr(NDA_LLADDR, mac("02:42:ac:11:00:02")).end().single();

      assertThat(NeighbourCodec.decode(m, NAMES)).isNull();
    }
  }

  @Nested
  class SockDiagReplies {
    @Test
    void dualStackTcpListenerWithNetworkOrderPort() {
      // 0x1f90: decoding the port in little-endian would give 36895.
      InetSocket s = SockDiag.decode(dualStackListener(8080).single(), IPPROTO_TCP);

      assertThat(s).isEqualTo(InetSocket.builder().protocol(InetSocket.Protocol.TCP).local(ip("::")).localPort(8080)
          .remote(ip("::")).remotePort(0).state(TCP_LISTEN).v6Only(false).receiveQueue(0).sendQueue(50).uid(1000)
          .inode(123456).build());
      assertThat(s.isListening()).isTrue();
      assertThat(s.isDualStack()).isTrue();
      assertThat(s).hasToString("tcp   LISTEN  0      50     *:8080 *:*");
    }

    @Test
    void v6OnlyListenerOnHighPort() {
      Message m = diag(Libc.AF_INET6, TCP_LISTEN, 50000, ip("::"), 3, 4096, 0, 7)
          .attrU8(INET_DIAG_SKV6ONLY, 1).end().single();

      InetSocket s = SockDiag.decode(m, IPPROTO_TCP);

      assertThat(s.localPort()).as("ports are unsigned").isEqualTo(50000);
      assertThat(s.v6Only()).isTrue();
      assertThat(s.isDualStack()).isFalse();
      assertThat(s).hasToString("tcp   LISTEN  3      4096   [::]:50000 [::]:*");
    }

    @Test
    void ipv4UdpSocketReadsOnlyTheFirstFourAddressBytes() {
      Message m = diag(Libc.AF_INET, TCP_CLOSE, 5353, ip("127.0.0.1"), 0, 0, 0, 99).end().single();

      InetSocket s = SockDiag.decode(m, IPPROTO_UDP);

      assertThat(s.local()).isEqualTo(ip("127.0.0.1"));
      assertThat(s.isIpv6()).isFalse();
      assertThat(s.v6Only()).isFalse();
      assertThat(s.stateName()).isEqualTo("UNCONN");
      assertThat(s).hasToString("udp   UNCONN  0      0      127.0.0.1:5353 0.0.0.0:*");
    }
  }

  @Nested
  class ErrorReplies {
    @Test
    void cappedExtendedAckCarriesTheKernelsText() {
      Message m = cappedErrorWithText("Attribute failed policy validation").single();

      assertThat(NetlinkSocket.extAck(m)).isEqualTo("Attribute failed policy validation");
    }

    @Test
    void uncappedExtendedAckFollowsTheEchoedRequest() {
      byte[] echoedPayload = new byte[20];
      Arrays.fill(echoedPayload, (byte) 0x41);
      Message m = new KernelBytes().message(NLMSG_ERROR, NLM_F_ACK_TLVS, 9).u32(-EEXIST)
          .u32(16 + echoedPayload.length).u16(RTM_NEWLINK).u16(NLM_F_REQUEST | NLM_F_ACK).u32(9).u32(0)
          .raw(echoedPayload).attrString(NLMSGERR_ATTR_MSG, "File exists").end().single();

      assertThat(NetlinkSocket.extAck(m)).isEqualTo("File exists");
    }

    @Test
    void errorWithoutAckTlvsHasNoText() {
      Message m = new KernelBytes().message(NLMSG_ERROR, NLM_F_CAPPED, 9).u32(-EPERM)
          .u32(16).u16(RTM_NEWLINK).u16(NLM_F_REQUEST | NLM_F_ACK).u32(9).u32(0).end().single();

      assertThat(NetlinkSocket.extAck(m)).isNull();
    }

    @Test
    void theTextEndsUpInTheExceptionMessage() {
      String text = NetlinkSocket.extAck(cappedErrorWithText("Attribute failed policy validation").single());

      NetlinkException e = new NetlinkException("ip link add x type veth", EINVAL, text);

      assertThat(e).hasMessage("ip link add x type veth failed: EINVAL (Invalid argument);"
          + " kernel says: Attribute failed policy validation");
      assertThat(e.errno()).isEqualTo(EINVAL);
      assertThat(e.kernelMessage()).isEqualTo("Attribute failed policy validation");
    }
  }
}
