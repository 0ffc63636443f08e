package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_UP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_DATA;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MACVLAN_MODE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MASTER;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MTU;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_NET_NS_FD;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_GROUP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_GROUP6;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_ID;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_LOCAL6;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_PORT;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.VETH_INFO_PEER;

import dev.nsunit.model.InetAddresses;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Locale;

/**
 * A new link to create with one RTM_NEWLINK: a veth pair, a bridge, a macvlan or a vxlan, with
 * optional MTU, MAC, master and up state applied in the same request.
 *
 * <pre>{@code
 * rtnetlink.add(LinkRequest.veth("vethab12", "eth0", endpointNsFd).master(bridgeIndex).up());
 * }</pre>
 */
public final class LinkRequest {
  /** The longest interface name the kernel accepts (IFNAMSIZ - 1). */
  public static final int MAX_NAME_LENGTH = 15;

  /** macvlan modes (MACVLAN_MODE_*). */
  public enum MacvlanMode {
    PRIVATE(1), VEPA(2), BRIDGE(4), PASSTHRU(8), SOURCE(16);

    final int value;

    MacvlanMode(int value) {
      this.value = value;
    }
  }

  /** ipvlan modes (IPVLAN_MODE_* in linux/if_link.h). */
  public enum IpvlanMode {
    L2(0), L3(1), L3S(2);

    final int value;

    IpvlanMode(int value) {
      this.value = value;
    }
  }

  /** {@code IFLA_IPVLAN_MODE} from linux/if_link.h (u16). */
  static final int IFLA_IPVLAN_MODE = 1;
  /** {@code IFLA_IPVLAN_FLAGS} from linux/if_link.h (u16): 0 is bridge, 1 private, 2 vepa. */
  static final int IFLA_IPVLAN_FLAGS = 2;

  private final String kind;
  private final String name;
  private IpvlanMode ipvlanMode;
  private int nsFd = -1;
  private String peerName;
  private int peerNsFd = -1;
  private int parentIndex;
  private MacvlanMode macvlanMode;
  private int vni = -1;
  private InetAddress vxlanRemote;
  private InetAddress vxlanLocal;
  private int vxlanPort = -1;
  private int mtu;
  private byte[] mac;
  private int masterIndex;
  private boolean up;

  private LinkRequest(String kind, String name) {
    this.kind = kind;
    this.name = checkName(name);
  }

  /** Validates an interface name against the kernel's rules (1 to 15 bytes, no '/', ':' or whitespace). */
  public static String checkName(String name) {
    if (name == null || name.isEmpty() || name.length() > MAX_NAME_LENGTH
        || name.equals(".") || name.equals("..") || hasForbiddenChar(name)) {
      throw new IllegalArgumentException("\"" + name + "\" is not a valid interface name: use 1 to "
          + MAX_NAME_LENGTH + " characters without '/', ':' or spaces");
    }
    return name;
  }

  /** A plain loop rather than a stream: this runs on every request that names a link. */
  private static boolean hasForbiddenChar(String name) {
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (c == '/' || c == ':' || Character.isWhitespace(c)) {
        return true;
      }
    }
    return false;
  }

  /**
   * A veth pair. The peer is created directly in the namespace that {@code peerNsFd} refers to.
   * Equivalent to: {@code ip link add NAME type veth peer name PEER netns NS}.
   */
  public static LinkRequest veth(String name, String peerName, int peerNsFd) {
    LinkRequest r = new LinkRequest("veth", name);
    r.peerName = checkName(peerName);
    r.peerNsFd = peerNsFd;
    return r;
  }

  /** A veth pair with both ends in this namespace. Equivalent to: {@code ip link add NAME type veth peer name PEER}. */
  public static LinkRequest veth(String name, String peerName) {
    return veth(name, peerName, -1);
  }

  /** The IFLA_INFO_KIND: {@code veth}, {@code bridge}, {@code macvlan} or {@code vxlan}. */
  String kind() {
    return kind;
  }

  /** A bridge. Equivalent to: {@code ip link add NAME type bridge}. */
  public static LinkRequest bridge(String name) {
    return new LinkRequest("bridge", name);
  }

  /** A macvlan on {@code parentIndex}. Equivalent to: {@code ip link add NAME link PARENT type macvlan mode MODE}. */
  public static LinkRequest macvlan(String name, int parentIndex, MacvlanMode mode) {
    LinkRequest r = new LinkRequest("macvlan", name);
    r.parentIndex = parentIndex;
    r.macvlanMode = mode;
    return r;
  }

  /**
   * An ipvlan on {@code parentIndex} in {@code mode}, flags "bridge" (0). Equivalent to:
   * {@code ip link add NAME link PARENT type ipvlan mode l2}, which sends the mode and the flags
   * as two u16 attributes.
   */
  public static LinkRequest ipvlan(String name, int parentIndex, IpvlanMode mode) {
    LinkRequest r = new LinkRequest("ipvlan", name);
    r.parentIndex = parentIndex;
    r.ipvlanMode = mode;
    return r;
  }

  /**
   * Creates the link directly in the namespace {@code fd} refers to, its parent staying where
   * the request is sent; {@code ip link add ... netns NS}.
   */
  public LinkRequest netns(int fd) {
    this.nsFd = fd;
    return this;
  }

  /** A vxlan with network identifier {@code vni}. Equivalent to: {@code ip link add NAME type vxlan id VNI}. */
  public static LinkRequest vxlan(String name, int vni) {
    if (vni < 0 || vni > 0xffffff) {
      throw new IllegalArgumentException("VXLAN id " + vni + " is outside 0..16777215");
    }
    LinkRequest r = new LinkRequest("vxlan", name);
    r.vni = vni;
    return r;
  }

  /** vxlan: the remote (unicast) or group (multicast) address; {@code remote ADDR} / {@code group ADDR}. */
  public LinkRequest remote(InetAddress address) {
    vxlanRemote = address;
    return this;
  }

  /** vxlan: the local source address; {@code local ADDR}. */
  public LinkRequest local(InetAddress address) {
    vxlanLocal = address;
    return this;
  }

  /** vxlan: the underlay device; {@code dev PARENT}. */
  public LinkRequest underlay(int index) {
    parentIndex = index;
    return this;
  }

  /** vxlan: the UDP destination port; {@code dstport PORT}. */
  public LinkRequest port(int port) {
    vxlanPort = port;
    return this;
  }

  /** Sets the MTU; {@code mtu N}. */
  public LinkRequest mtu(int mtu) {
    this.mtu = mtu;
    return this;
  }

  /** Sets the MAC address; {@code address aa:bb:cc:dd:ee:ff}. */
  public LinkRequest mac(String mac) {
    this.mac = LinkCodec.parseMac(mac);
    return this;
  }

  /** Enslaves the new link to {@code masterIndex}; {@code master BRIDGE}. */
  public LinkRequest master(int masterIndex) {
    this.masterIndex = masterIndex;
    return this;
  }

  /** Creates the link administratively up; {@code ip link set NAME up}. */
  public LinkRequest up() {
    this.up = true;
    return this;
  }

  /** The new link's name. */
  public String name() {
    return name;
  }

  /** Appends the RTM_NEWLINK to {@code m}. */
  void encode(MessageBuilder m) {
    m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, this)
        .struct(up ? IfInfoMsg.setFlags(0, IFF_UP, IFF_UP) : IfInfoMsg.any())
        .attrString(IFLA_IFNAME, name);
    if (mtu > 0) {
      m.attrU32(IFLA_MTU, mtu);
    }
    if (mac != null) {
      m.attr(IFLA_ADDRESS, mac);
    }
    if (masterIndex > 0) {
      m.attrU32(IFLA_MASTER, masterIndex);
    }
    if (parentIndex > 0 && !kind.equals("vxlan")) {
      m.attrU32(IFLA_LINK, parentIndex);
    }
    if (nsFd >= 0) {
      m.attrU32(IFLA_NET_NS_FD, nsFd);
    }
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, kind);
    switch (kind) {
      case "veth": {
        int data = m.beginNested(IFLA_INFO_DATA);
        // VETH_INFO_PEER carries a whole ifinfomsg before its attributes; the kernel rejects NLA_F_NESTED here.
        int peer = m.beginNestedPlain(VETH_INFO_PEER);
        m.struct(IfInfoMsg.any()).attrString(IFLA_IFNAME, peerName);
        if (peerNsFd >= 0) {
          m.attrU32(IFLA_NET_NS_FD, peerNsFd);
        }
        if (mtu > 0) {
          m.attrU32(IFLA_MTU, mtu);
        }
        m.endNested(peer).endNested(data);
        break;
      }
      case "macvlan": {
        int data = m.beginNested(IFLA_INFO_DATA);
        m.attrU32(IFLA_MACVLAN_MODE, macvlanMode.value).endNested(data);
        break;
      }
      case "ipvlan": {
        int data = m.beginNested(IFLA_INFO_DATA);
        m.attrU16(IFLA_IPVLAN_MODE, ipvlanMode.value).attrU16(IFLA_IPVLAN_FLAGS, 0).endNested(data);
        break;
      }
      case "vxlan": {
        int data = m.beginNested(IFLA_INFO_DATA);
        m.attrU32(IFLA_VXLAN_ID, vni);
        if (vxlanRemote != null) {
          m.attrAddress(vxlanRemote instanceof Inet6Address ? IFLA_VXLAN_GROUP6 : IFLA_VXLAN_GROUP, vxlanRemote);
        }
        if (vxlanLocal != null) {
          m.attrAddress(vxlanLocal instanceof Inet6Address ? IFLA_VXLAN_LOCAL6 : IFLA_VXLAN_LOCAL, vxlanLocal);
        }
        if (parentIndex > 0) {
          m.attrU32(IFLA_VXLAN_LINK, parentIndex);
        }
        if (vxlanPort >= 0) {
          m.attrBe16(IFLA_VXLAN_PORT, vxlanPort);
        }
        m.endNested(data);
        break;
      }
      default:
        break;
    }
    m.endNested(info).end();
  }

  /** The iproute2 command this request is equivalent to. */
  public String describe() {
    StringBuilder sb = new StringBuilder("ip link add ").append(name);
    if (parentIndex > 0 && !kind.equals("vxlan")) {
      sb.append(" link if").append(parentIndex);
    }
    sb.append(" type ").append(kind);
    if (peerName != null) {
      sb.append(" peer name ").append(peerName);
      if (peerNsFd >= 0) {
        sb.append(" netns fd ").append(peerNsFd);
      }
    }
    if (macvlanMode != null) {
      sb.append(" mode ").append(macvlanMode.name().toLowerCase(Locale.ROOT));
    }
    if (ipvlanMode != null) {
      sb.append(" mode ").append(ipvlanMode.name().toLowerCase(Locale.ROOT));
    }
    if (nsFd >= 0) {
      sb.append(" netns fd ").append(nsFd);
    }
    if (vni >= 0) {
      sb.append(" id ").append(vni);
      if (vxlanRemote != null) {
        sb.append(vxlanRemote.isMulticastAddress() ? " group " : " remote ").append(InetAddresses.format(vxlanRemote));
      }
      if (vxlanLocal != null) {
        sb.append(" local ").append(InetAddresses.format(vxlanLocal));
      }
      if (parentIndex > 0) {
        sb.append(" dev if").append(parentIndex);
      }
      if (vxlanPort >= 0) {
        sb.append(" dstport ").append(vxlanPort);
      }
    }
    if (mtu > 0) {
      sb.append(" mtu ").append(mtu);
    }
    if (mac != null) {
      sb.append(" address ").append(LinkCodec.mac(mac));
    }
    if (masterIndex > 0) {
      sb.append(" master if").append(masterIndex);
    }
    if (up) {
      sb.append(" up");
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return describe();
  }
}
