package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_EXT_MASK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINK_NETNSID;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MASTER;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MTU;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_OPERSTATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_QDISC;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTEXT_FILTER_SKIP_STATS;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;

import dev.nsunit.model.Link;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Encoding and decoding of RTM_*LINK messages. */
final class LinkCodec {
  private static final int IFF_UP = 0x1;
  private static final String[] OPER_STATES = {
    "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN", "TESTING", "DORMANT", "UP"
  };

  private LinkCodec() {}

  /** Adds IFLA_EXT_MASK so the kernel leaves out link statistics we never read. */
  static void skipStats(MessageBuilder m) {
    m.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  }

  /** A decoded link before names of masters and peers are resolved. */
  record Raw(int index, String name, String kind, int type, int flags, int mtu, String mac,
      String broadcastMac, String operState, int masterIndex, int linkIndex, int linkNetnsId,
      String qdisc) {}

  static Raw decode(Message m) {
    m.requirePayload(IfInfoMsg.SIZE);
    if (m.type() != RTM_NEWLINK) {
      throw new NetlinkFormatException("expected RTM_NEWLINK, got " + m);
    }
    IfInfoMsg header = IfInfoMsg.read(m.payload());
    int index = header.index();
    Attributes a = m.attributes(IfInfoMsg.SIZE);
    int oper = a.u8(IFLA_OPERSTATE, 0);
    String name = a.string(IFLA_IFNAME);
    if (name == null) {
      throw new NetlinkFormatException("RTM_NEWLINK for ifindex " + index + " carries no IFLA_IFNAME");
    }
    return new Raw(index, name, a.nested(IFLA_LINKINFO).string(IFLA_INFO_KIND),
        header.type(), header.flags(), a.u32(IFLA_MTU, 0), mac(a.bytes(IFLA_ADDRESS)), mac(a.bytes(IFLA_BROADCAST)),
        oper < OPER_STATES.length ? OPER_STATES[oper] : Integer.toString(oper),
        a.u32(IFLA_MASTER, 0), a.u32(IFLA_LINK, 0), a.u32(IFLA_LINK_NETNSID, -1), a.string(IFLA_QDISC));
  }

  /** Resolves masters' and peers' names within one dump. */
  static List<Link> resolve(List<Raw> raws) {
    Map<Integer, Raw> byIndex = new HashMap<>();
    for (Raw r : raws) {
      byIndex.put(r.index(), r);
    }
    List<Link> out = new ArrayList<>(raws.size());
    for (Raw r : raws) {
      Raw master = byIndex.get(r.masterIndex());
      out.add(toLink(r, master == null ? null : master.name(), sameNamespaceLink(r) ? byIndex.get(r.linkIndex()) : null));
    }
    return out;
  }

  /** Whether IFLA_LINK names a device of this namespace (not a veth peer elsewhere). */
  static boolean sameNamespaceLink(Raw r) {
    return r.linkIndex() != 0 && r.linkNetnsId() < 0 && r.linkIndex() != r.index();
  }

  /**
   * Builds the link; {@code link} is its IFLA_LINK device when that is in this namespace. Like
   * iproute2, a same-namespace IFLA_LINK device that is down or unknown makes the link M-DOWN.
   */
  static Link toLink(Raw r, String master, Raw link) {
    boolean linkDown = sameNamespaceLink(r) && (link == null || (link.flags() & IFF_UP) == 0);
    return Link.builder()
        .index(r.index()).name(r.name()).kind(r.kind()).type(r.type()).flags(r.flags()).mtu(r.mtu())
        .mac(r.mac()).broadcastMac(r.broadcastMac()).operState(r.operState())
        .masterIndex(r.masterIndex()).master(master)
        .linkIndex(r.linkIndex()).linkName(link == null ? null : link.name()).linkNetnsId(r.linkNetnsId())
        .qdisc(r.qdisc()).linkDown(linkDown)
        .build();
  }

  static String mac(byte[] raw) {
    if (raw == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(raw.length * 3);
    for (int i = 0; i < raw.length; i++) {
      if (i > 0) {
        sb.append(':');
      }
      sb.append(Character.forDigit((raw[i] >> 4) & 0xf, 16)).append(Character.forDigit(raw[i] & 0xf, 16));
    }
    return sb.toString();
  }

  /** Parses {@code aa:bb:cc:dd:ee:ff}. */
  static byte[] parseMac(String mac) {
    String[] parts = mac.split(":", -1);
    if (parts.length != 6) {
      throw new IllegalArgumentException("\"" + mac + "\" is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
    }
    byte[] out = new byte[6];
    for (int i = 0; i < 6; i++) {
      if (parts[i].length() != 2 || Character.digit(parts[i].charAt(0), 16) < 0
          || Character.digit(parts[i].charAt(1), 16) < 0) {
        throw new IllegalArgumentException("\"" + mac + "\" is not a MAC address (expected aa:bb:cc:dd:ee:ff)");
      }
      out[i] = (byte) Integer.parseInt(parts[i], 16);
    }
    return out;
  }
}
