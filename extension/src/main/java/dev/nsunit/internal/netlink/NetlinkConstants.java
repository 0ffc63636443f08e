package dev.nsunit.internal.netlink;

/** Kernel constants from linux/netlink.h, rtnetlink.h, if_link.h, if_addr.h, neighbour.h and inet_diag.h. */
public final class NetlinkConstants {
  private NetlinkConstants() {}

  // linux/netlink.h
  public static final int NETLINK_ROUTE = 0;
  public static final int NETLINK_SOCK_DIAG = 4;
  public static final int NETLINK_NETFILTER = 12;
  public static final int SOL_NETLINK = 270;
  public static final int NETLINK_CAP_ACK = 10;
  public static final int NETLINK_EXT_ACK = 11;
  public static final int NETLINK_GET_STRICT_CHK = 12;

  public static final int NLMSG_HDRLEN = 16;
  public static final int NLMSG_NOOP = 1;
  public static final int NLMSG_ERROR = 2;
  public static final int NLMSG_DONE = 3;
  public static final int NLMSG_OVERRUN = 4;

  public static final int NLM_F_REQUEST = 0x01;
  public static final int NLM_F_MULTI = 0x02;
  public static final int NLM_F_ACK = 0x04;
  public static final int NLM_F_ECHO = 0x08;
  public static final int NLM_F_DUMP_INTR = 0x10;
  public static final int NLM_F_ROOT = 0x100;
  public static final int NLM_F_MATCH = 0x200;
  public static final int NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH;
  public static final int NLM_F_REPLACE = 0x100;
  public static final int NLM_F_EXCL = 0x200;
  public static final int NLM_F_CREATE = 0x400;
  public static final int NLM_F_APPEND = 0x800;
  public static final int NLM_F_CAPPED = 0x100;
  public static final int NLM_F_ACK_TLVS = 0x200;

  public static final int NLMSGERR_ATTR_MSG = 1;
  public static final int NLMSGERR_ATTR_OFFS = 2;

  public static final int NLA_HDRLEN = 4;
  public static final int NLA_F_NESTED = 0x8000;
  public static final int NLA_TYPE_MASK = 0x3fff;

  // linux/rtnetlink.h
  public static final int RTM_NEWLINK = 16;
  public static final int RTM_DELLINK = 17;
  public static final int RTM_GETLINK = 18;
  public static final int RTM_SETLINK = 19;
  public static final int RTM_NEWADDR = 20;
  public static final int RTM_DELADDR = 21;
  public static final int RTM_GETADDR = 22;
  public static final int RTM_NEWROUTE = 24;
  public static final int RTM_DELROUTE = 25;
  public static final int RTM_GETROUTE = 26;
  public static final int RTM_NEWNEIGH = 28;
  public static final int RTM_DELNEIGH = 29;
  public static final int RTM_GETNEIGH = 30;

  // linux/if.h
  public static final int IFF_UP = 0x1;
  public static final int IFF_BROADCAST = 0x2;
  public static final int IFF_DEBUG = 0x4;
  public static final int IFF_LOOPBACK = 0x8;
  public static final int IFF_POINTOPOINT = 0x10;
  public static final int IFF_NOTRAILERS = 0x20;
  public static final int IFF_RUNNING = 0x40;
  public static final int IFF_NOARP = 0x80;
  public static final int IFF_PROMISC = 0x100;
  public static final int IFF_ALLMULTI = 0x200;
  public static final int IFF_MASTER = 0x400;
  public static final int IFF_SLAVE = 0x800;
  public static final int IFF_MULTICAST = 0x1000;
  public static final int IFF_PORTSEL = 0x2000;
  public static final int IFF_AUTOMEDIA = 0x4000;
  public static final int IFF_DYNAMIC = 0x8000;
  public static final int IFF_LOWER_UP = 0x10000;
  public static final int IFF_DORMANT = 0x20000;
  public static final int IFF_ECHO = 0x40000;

  // linux/if_link.h
  public static final int IFLA_ADDRESS = 1;
  public static final int IFLA_BROADCAST = 2;
  public static final int IFLA_IFNAME = 3;
  public static final int IFLA_MTU = 4;
  public static final int IFLA_LINK = 5;
  public static final int IFLA_QDISC = 6;
  public static final int IFLA_MASTER = 10;
  public static final int IFLA_TXQLEN = 13;
  public static final int IFLA_OPERSTATE = 16;
  public static final int IFLA_LINKINFO = 18;
  public static final int IFLA_GROUP = 27;
  public static final int IFLA_NET_NS_FD = 28;
  public static final int IFLA_EXT_MASK = 29;
  public static final int IFLA_LINK_NETNSID = 37;
  public static final int IFLA_INFO_KIND = 1;
  public static final int IFLA_INFO_DATA = 2;
  public static final int IFLA_INFO_SLAVE_KIND = 4;
  public static final int VETH_INFO_PEER = 1;
  public static final int IFLA_MACVLAN_MODE = 1;
  public static final int IFLA_VXLAN_ID = 1;
  public static final int IFLA_VXLAN_GROUP = 2;
  public static final int IFLA_VXLAN_LINK = 3;
  public static final int IFLA_VXLAN_LOCAL = 4;
  public static final int IFLA_VXLAN_TTL = 5;
  public static final int IFLA_VXLAN_LEARNING = 7;
  public static final int IFLA_VXLAN_PORT = 15;
  public static final int IFLA_VXLAN_GROUP6 = 16;
  public static final int IFLA_VXLAN_LOCAL6 = 17;
  public static final int RTEXT_FILTER_SKIP_STATS = 1 << 3;

  // linux/if_addr.h
  public static final int IFA_ADDRESS = 1;
  public static final int IFA_LOCAL = 2;
  public static final int IFA_LABEL = 3;
  public static final int IFA_BROADCAST = 4;
  public static final int IFA_FLAGS = 8;
  public static final int IFA_F_SECONDARY = 0x01;
  public static final int IFA_F_NODAD = 0x02;
  public static final int IFA_F_DADFAILED = 0x08;
  public static final int IFA_F_DEPRECATED = 0x20;
  public static final int IFA_F_TENTATIVE = 0x40;
  public static final int IFA_F_PERMANENT = 0x80;
  public static final int IFA_F_NOPREFIXROUTE = 0x200;

  // routes
  public static final int RTA_DST = 1;
  public static final int RTA_SRC = 2;
  public static final int RTA_OIF = 4;
  public static final int RTA_GATEWAY = 5;
  public static final int RTA_PRIORITY = 6;
  public static final int RTA_PREFSRC = 7;
  public static final int RTA_TABLE = 15;
  public static final int RTA_PREF = 20;
  public static final int RT_TABLE_COMPAT = 252;
  public static final int RT_TABLE_MAIN = 254;
  public static final int RT_TABLE_LOCAL = 255;
  public static final int RTPROT_UNSPEC = 0;
  public static final int RTPROT_KERNEL = 2;
  public static final int RTPROT_BOOT = 3;
  public static final int RTPROT_STATIC = 4;
  public static final int RT_SCOPE_UNIVERSE = 0;
  public static final int RT_SCOPE_SITE = 200;
  public static final int RT_SCOPE_LINK = 253;
  public static final int RT_SCOPE_HOST = 254;
  public static final int RT_SCOPE_NOWHERE = 255;
  public static final int RTN_UNICAST = 1;
  public static final int RTN_LOCAL = 2;
  public static final int RTN_BROADCAST = 3;
  public static final int RTN_MULTICAST = 5;
  public static final int RTN_BLACKHOLE = 6;
  public static final int RTN_UNREACHABLE = 7;
  public static final int RTN_PROHIBIT = 8;
  public static final int RTM_F_CLONED = 0x200;
  public static final int RTNH_F_ONLINK = 0x4;

  // neighbours
  public static final int NDA_DST = 1;
  public static final int NDA_LLADDR = 2;

  // linux/inet_diag.h, linux/sock_diag.h
  public static final int SOCK_DIAG_BY_FAMILY = 20;
  /** {@code SOCK_DESTROY} from linux/sock_diag.h: close a socket from outside, as {@code ss -K}. */
  public static final int SOCK_DESTROY = 21;
  public static final int INET_DIAG_SKV6ONLY = 11;
  public static final int IPPROTO_TCP = 6;
  public static final int IPPROTO_UDP = 17;
  public static final int TCP_ESTABLISHED = 1;
  public static final int TCP_TIME_WAIT = 6;
  public static final int TCP_CLOSE = 7;
  public static final int TCP_LISTEN = 10;

  /** Rounds up to netlink's 4-byte alignment. */
  public static int align(int length) {
    return (length + 3) & ~3;
  }

  /** The name of an RTM_* message type, for error messages. */
  public static String messageTypeName(int type) {
    switch (type) {
      case NLMSG_NOOP: return "NLMSG_NOOP";
      case NLMSG_ERROR: return "NLMSG_ERROR";
      case NLMSG_DONE: return "NLMSG_DONE";
      case NLMSG_OVERRUN: return "NLMSG_OVERRUN";
      case RTM_NEWLINK: return "RTM_NEWLINK";
      case RTM_DELLINK: return "RTM_DELLINK";
      case RTM_GETLINK: return "RTM_GETLINK";
      case RTM_SETLINK: return "RTM_SETLINK";
      case RTM_NEWADDR: return "RTM_NEWADDR";
      case RTM_DELADDR: return "RTM_DELADDR";
      case RTM_GETADDR: return "RTM_GETADDR";
      case RTM_NEWROUTE: return "RTM_NEWROUTE";
      case RTM_DELROUTE: return "RTM_DELROUTE";
      case RTM_GETROUTE: return "RTM_GETROUTE";
      case RTM_NEWNEIGH: return "RTM_NEWNEIGH";
      case RTM_DELNEIGH: return "RTM_DELNEIGH";
      case RTM_GETNEIGH: return "RTM_GETNEIGH";
      default: return "message type " + type;
    }
  }
}
