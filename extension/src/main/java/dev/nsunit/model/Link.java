package dev.nsunit.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A network interface, as {@code ip -d link show} reports it.
 *
 * @param index the ifindex
 * @param name the interface name, e.g. {@code eth0}
 * @param kind the link kind from IFLA_INFO_KIND ({@code veth}, {@code bridge}, {@code macvlan},
 *     {@code vxlan}, ...), or {@code null} for devices without one (loopback, physical NICs)
 * @param type the ARPHRD_* hardware type (1 ether, 772 loopback)
 * @param flags the IFF_* flags
 * @param mtu the MTU
 * @param mac the hardware address as {@code aa:bb:cc:dd:ee:ff}, or {@code null}
 * @param broadcastMac the hardware broadcast address, or {@code null}
 * @param operState the operational state (UNKNOWN, DOWN, UP, LOWERLAYERDOWN, ...)
 * @param masterIndex the ifindex of the master (e.g. a bridge), or 0
 * @param master the master's name, or {@code null}
 * @param linkIndex the IFLA_LINK ifindex (a veth's peer, a macvlan's parent), or 0
 * @param linkName the IFLA_LINK device's name when it is in the same namespace, else {@code null}
 * @param linkNetnsId the peer's namespace id when it lives elsewhere, or -1
 * @param qdisc the root qdisc name, or {@code null}
 * @param linkDown whether the IFLA_LINK device is in this namespace and administratively down
 *     (iproute2 then adds {@code M-DOWN} to the flags), e.g. a veth whose peer is down
 */
public record Link(int index, String name, String kind, int type, int flags, int mtu, String mac,
    String broadcastMac, String operState, int masterIndex, String master, int linkIndex,
    String linkName, int linkNetnsId, String qdisc, boolean linkDown) {

  private static final int IFF_UP = 0x1;
  private static final int IFF_LOOPBACK = 0x8;
  private static final int IFF_RUNNING = 0x40;
  private static final int IFF_LOWER_UP = 0x10000;
  private static final String[] FLAG_NAMES = {
    "LOOPBACK", "BROADCAST", "POINTOPOINT", "MULTICAST", "NOARP", "ALLMULTI", "PROMISC",
    "NOTRAILERS", "DEBUG", "DYNAMIC", "AUTOMEDIA", "PORTSEL", "MASTER", "SLAVE", "UP", "LOWER_UP",
    "DORMANT", "ECHO"
  };
  private static final int[] FLAG_BITS = {
    0x8, 0x2, 0x10, 0x1000, 0x80, 0x200, 0x100, 0x20, 0x4, 0x8000, 0x4000, 0x2000, 0x400, 0x800,
    0x1, 0x10000, 0x20000, 0x40000
  };

  /** A link whose IFLA_LINK device, if any, is not known to be down. */
  public Link(int index, String name, String kind, int type, int flags, int mtu, String mac,
      String broadcastMac, String operState, int masterIndex, String master, int linkIndex,
      String linkName, int linkNetnsId, String qdisc) {
    this(index, name, kind, type, flags, mtu, mac, broadcastMac, operState, masterIndex, master,
        linkIndex, linkName, linkNetnsId, qdisc, false);
  }

  /** Administratively up (IFF_UP). */
  public boolean isUp() {
    return (flags & IFF_UP) != 0;
  }

  /** The carrier is up (IFF_LOWER_UP). */
  public boolean isLowerUp() {
    return (flags & IFF_LOWER_UP) != 0;
  }

  /** A loopback device (IFF_LOOPBACK). */
  public boolean isLoopback() {
    return (flags & IFF_LOOPBACK) != 0;
  }

  /** The master's name, if the link is enslaved (e.g. a bridge port). */
  public Optional<String> masterName() {
    return Optional.ofNullable(master);
  }

  /** The flags as iproute2 prints them between angle brackets, in iproute2's order. */
  public List<String> flagNames() {
    List<String> out = new ArrayList<>();
    if ((flags & IFF_UP) != 0 && (flags & IFF_RUNNING) == 0) {
      out.add("NO-CARRIER");
    }
    for (int i = 0; i < FLAG_BITS.length; i++) {
      if ((flags & FLAG_BITS[i]) != 0) {
        out.add(FLAG_NAMES[i]);
      }
    }
    if (linkDown) {
      out.add("M-DOWN");
    }
    return out;
  }

  /** The name with iproute2's {@code @peer} suffix, e.g. {@code eth0@if7}. */
  public String displayName() {
    if (linkIndex == 0 || linkIndex == index && linkNetnsId < 0) {
      return name;
    }
    if (linkNetnsId >= 0 || linkName == null) {
      return name + "@if" + linkIndex;
    }
    return name + "@" + linkName;
  }

  /**
   * Two lines like {@code ip link show}: {@code "2: eth0@if7: <BROADCAST,MULTICAST,UP,LOWER_UP>
   * mtu 1500 qdisc noqueue master nsunit0 state UP\n    link/ether 02:42:ac:11:00:02 brd
   * ff:ff:ff:ff:ff:ff"}.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    sb.append(index).append(": ").append(displayName()).append(": <")
        .append(String.join(",", flagNames())).append("> mtu ").append(mtu);
    if (qdisc != null) {
      sb.append(" qdisc ").append(qdisc);
    }
    if (master != null) {
      sb.append(" master ").append(master);
    }
    sb.append(" state ").append(operState);
    if (kind != null) {
      sb.append(" type ").append(kind);
    }
    sb.append("\n    link/").append(linkType());
    if (mac != null) {
      sb.append(' ').append(mac);
    }
    if (broadcastMac != null) {
      sb.append(" brd ").append(broadcastMac);
    }
    return sb.toString();
  }

  private String linkType() {
    switch (type) {
      case 1: return "ether";
      case 772: return "loopback";
      case 65534: return "none";
      default: return "[" + type + "]";
    }
  }
}
