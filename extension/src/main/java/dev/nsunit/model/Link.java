package dev.nsunit.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A network interface, as {@code ip -d link show} reports it.
 *
 * <p>Instances are read from the kernel; {@link #builder()} makes one by hand, e.g. an
 * expected value in a test. Properties are added over time as new accessors and builder
 * methods, so code that reads or builds instances keeps compiling.
 */
public final class Link {

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
    if (linkIndex == 0 || (linkIndex == index && linkNetnsId < 0)) {
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

  private final int index;
  private final String name;
  private final String kind;
  private final int type;
  private final int flags;
  private final int mtu;
  private final String mac;
  private final String broadcastMac;
  private final String operState;
  private final int masterIndex;
  private final String master;
  private final int linkIndex;
  private final String linkName;
  private final int linkNetnsId;
  private final String qdisc;
  private final boolean linkDown;

  private Link(Builder b) {
    this.index = b.index;
    this.name = Objects.requireNonNull(b.name, "name");
    this.kind = b.kind;
    this.type = b.type;
    this.flags = b.flags;
    this.mtu = b.mtu;
    this.mac = b.mac;
    this.broadcastMac = b.broadcastMac;
    this.operState = Objects.requireNonNull(b.operState, "operState");
    this.masterIndex = b.masterIndex;
    this.master = b.master;
    this.linkIndex = b.linkIndex;
    this.linkName = b.linkName;
    this.linkNetnsId = b.linkNetnsId;
    this.qdisc = b.qdisc;
    this.linkDown = b.linkDown;
  }

  /** The ifindex. */
  public int index() {
    return index;
  }

  /** The interface name, e.g. {@code eth0}. */
  public String name() {
    return name;
  }

  /** The link kind from IFLA_INFO_KIND ({@code veth}, {@code bridge}, {@code macvlan}, {@code vxlan}, ...) (empty for devices without one: loopback, physical NICs). */
  public Optional<String> kind() {
    return Optional.ofNullable(kind);
  }

  /** The ARPHRD_* hardware type (1 ether, 772 loopback). */
  public int type() {
    return type;
  }

  /** The IFF_* flags. */
  public int flags() {
    return flags;
  }

  /** The MTU. */
  public int mtu() {
    return mtu;
  }

  /** The hardware address as {@code aa:bb:cc:dd:ee:ff}. */
  public Optional<String> mac() {
    return Optional.ofNullable(mac);
  }

  /** The hardware broadcast address. */
  public Optional<String> broadcastMac() {
    return Optional.ofNullable(broadcastMac);
  }

  /** The operational state (UNKNOWN, DOWN, UP, LOWERLAYERDOWN, ...). */
  public String operState() {
    return operState;
  }

  /** The ifindex of the master (e.g. a bridge), or 0. */
  public int masterIndex() {
    return masterIndex;
  }

  /** The master's name. */
  public Optional<String> master() {
    return Optional.ofNullable(master);
  }

  /** The IFLA_LINK ifindex (a veth's peer, a macvlan's parent), or 0. */
  public int linkIndex() {
    return linkIndex;
  }

  /** The IFLA_LINK device's name when it is in the same namespace (empty otherwise). */
  public Optional<String> linkName() {
    return Optional.ofNullable(linkName);
  }

  /** The peer's namespace id when it lives elsewhere, or -1. */
  public int linkNetnsId() {
    return linkNetnsId;
  }

  /** The root qdisc name. */
  public Optional<String> qdisc() {
    return Optional.ofNullable(qdisc);
  }

  /** Whether the IFLA_LINK device is in this namespace and administratively down (iproute2 then adds {@code M-DOWN} to the flags), e.g. a veth whose peer is down. */
  public boolean linkDown() {
    return linkDown;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Link other)) {
      return false;
    }
    return index == other.index
        && Objects.equals(name, other.name)
        && Objects.equals(kind, other.kind)
        && type == other.type
        && flags == other.flags
        && mtu == other.mtu
        && Objects.equals(mac, other.mac)
        && Objects.equals(broadcastMac, other.broadcastMac)
        && Objects.equals(operState, other.operState)
        && masterIndex == other.masterIndex
        && Objects.equals(master, other.master)
        && linkIndex == other.linkIndex
        && Objects.equals(linkName, other.linkName)
        && linkNetnsId == other.linkNetnsId
        && Objects.equals(qdisc, other.qdisc)
        && linkDown == other.linkDown;
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, name, kind, type, flags, mtu, mac, broadcastMac, operState, masterIndex, master, linkIndex, linkName, linkNetnsId, qdisc, linkDown);
  }

  /** A builder with every property unset ({@code null}, 0 or the documented "none" value). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this instance's properties, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.index = index;
    b.name = name;
    b.kind = kind;
    b.type = type;
    b.flags = flags;
    b.mtu = mtu;
    b.mac = mac;
    b.broadcastMac = broadcastMac;
    b.operState = operState;
    b.masterIndex = masterIndex;
    b.master = master;
    b.linkIndex = linkIndex;
    b.linkName = linkName;
    b.linkNetnsId = linkNetnsId;
    b.qdisc = qdisc;
    b.linkDown = linkDown;
    return b;
  }

  /** Builds a {@link Link}. Not thread-safe. */
  public static final class Builder {
    private int index;
    private String name;
    private String kind;
    private int type;
    private int flags;
    private int mtu;
    private String mac;
    private String broadcastMac;
    private String operState;
    private int masterIndex;
    private String master;
    private int linkIndex;
    private String linkName;
    private int linkNetnsId = -1;
    private String qdisc;
    private boolean linkDown;

    private Builder() {}

    /** Sets {@link Link#index()}. */
    public Builder index(int index) {
      this.index = index;
      return this;
    }

    /** Sets {@link Link#name()}. */
    public Builder name(String name) {
      this.name = name;
      return this;
    }

    /** Sets {@link Link#kind()}. */
    public Builder kind(String kind) {
      this.kind = kind;
      return this;
    }

    /** Sets {@link Link#type()}. */
    public Builder type(int type) {
      this.type = type;
      return this;
    }

    /** Sets {@link Link#flags()}. */
    public Builder flags(int flags) {
      this.flags = flags;
      return this;
    }

    /** Sets {@link Link#mtu()}. */
    public Builder mtu(int mtu) {
      this.mtu = mtu;
      return this;
    }

    /** Sets {@link Link#mac()}. */
    public Builder mac(String mac) {
      this.mac = mac;
      return this;
    }

    /** Sets {@link Link#broadcastMac()}. */
    public Builder broadcastMac(String broadcastMac) {
      this.broadcastMac = broadcastMac;
      return this;
    }

    /** Sets {@link Link#operState()}. */
    public Builder operState(String operState) {
      this.operState = operState;
      return this;
    }

    /** Sets {@link Link#masterIndex()}. */
    public Builder masterIndex(int masterIndex) {
      this.masterIndex = masterIndex;
      return this;
    }

    /** Sets {@link Link#master()}. */
    public Builder master(String master) {
      this.master = master;
      return this;
    }

    /** Sets {@link Link#linkIndex()}. */
    public Builder linkIndex(int linkIndex) {
      this.linkIndex = linkIndex;
      return this;
    }

    /** Sets {@link Link#linkName()}. */
    public Builder linkName(String linkName) {
      this.linkName = linkName;
      return this;
    }

    /** Sets {@link Link#linkNetnsId()}. */
    public Builder linkNetnsId(int linkNetnsId) {
      this.linkNetnsId = linkNetnsId;
      return this;
    }

    /** Sets {@link Link#qdisc()}. */
    public Builder qdisc(String qdisc) {
      this.qdisc = qdisc;
      return this;
    }

    /** Sets {@link Link#linkDown()}. */
    public Builder linkDown(boolean linkDown) {
      this.linkDown = linkDown;
      return this;
    }

    /** The Link. Throws NullPointerException if name, operState is unset. */
    public Link build() {
      return new Link(this);
    }
  }
}
