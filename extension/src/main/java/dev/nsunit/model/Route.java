package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A route, as {@code ip route show} (or {@code ip -6 route show}) reports it.
 *
 * <p>Instances are read from the kernel; {@link #builder()} makes one by hand, e.g. an
 * expected value in a test. Properties are added over time as new accessors and builder
 * methods, so code that reads or builds instances keeps compiling.
 */
public final class Route {

  /** rtm_flags bits in the order iproute2 prints them (print_rt_flags). */
  private static final int[] FLAG_BITS = {
    0x1, 0x4, 0x2, 0x8, 0x4000, 0x8000, 0x40, 0x100, 0x10, 0x20, 0x20000000
  };
  private static final String[] FLAG_NAMES = {
    "dead", "onlink", "pervasive", "offload", "rt_offload", "rt_trap", "trap", "notify", "linkdown",
    "unresolved", "rt_offload_failed"
  };


  /** Whether this is a default route (0.0.0.0/0 or ::/0). */
  public boolean isDefault() {
    return destination.length() == 0;
  }

  /** {@code default} or the destination as iproute2 prints it (no /32 or /128 for hosts). */
  public String destinationText() {
    if (isDefault()) {
      return "default";
    }
    boolean host = destination.length() == (destination.address() instanceof Inet6Address ? 128 : 32);
    return host ? InetAddresses.format(destination.address()) : destination.toString();
  }

  /** The scope as iproute2 names it. */
  public String scopeName() {
    return scopeName(scope);
  }

  /** The protocol as iproute2 names it: kernel, boot, static, ra, dhcp, or the number. */
  public String protocolName() {
    switch (protocol) {
      case 0: return "unspec";
      case 1: return "redirect";
      case 2: return "kernel";
      case 3: return "boot";
      case 4: return "static";
      case 9: return "ra";
      case 16: return "dhcp";
      default: return Integer.toString(protocol);
    }
  }

  /** The route type as iproute2 names it: unicast, local, broadcast, unreachable... */
  public String typeName() {
    switch (type) {
      case 1: return "unicast";
      case 2: return "local";
      case 3: return "broadcast";
      case 4: return "anycast";
      case 5: return "multicast";
      case 6: return "blackhole";
      case 7: return "unreachable";
      case 8: return "prohibit";
      case 9: return "throw";
      default: return Integer.toString(type);
    }
  }

  /** The flags as iproute2 prints them after the metric, e.g. {@code [onlink, linkdown]}. */
  public List<String> flagNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < FLAG_BITS.length; i++) {
      if ((flags & FLAG_BITS[i]) != 0) {
        out.add(FLAG_NAMES[i]);
      }
    }
    return out;
  }

  /** Whether the output device has no carrier (RTNH_F_LINKDOWN): iproute2's {@code linkdown}. */
  public boolean isLinkDown() {
    return (flags & 0x10) != 0;
  }

  /** The IPv6 preference as iproute2 names it ({@code low}, {@code medium}, {@code high}); empty for IPv4. */
  public Optional<String> preferenceName() {
    switch (preference) {
      case -1: return Optional.empty();
      case 0: return Optional.of("medium");
      case 1: return Optional.of("high");
      case 3: return Optional.of("low");
      default: return Optional.of(Integer.toString(preference));
    }
  }

  static String scopeName(int scope) {
    switch (scope) {
      case 0: return "global";
      case 200: return "site";
      case 253: return "link";
      case 254: return "host";
      case 255: return "nowhere";
      default: return Integer.toString(scope);
    }
  }

  /**
   * Like a line of {@code ip route}: {@code 172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2}
   * or {@code fd00::/64 dev eth0 proto kernel metric 256 linkdown pref medium}. iproute2's
   * {@code expires Nsec} is left out: the model holds no clock-dependent values.
   */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    if (type != 1) {
      sb.append(typeName()).append(' ');
    }
    sb.append(destinationText());
    if (gateway != null) {
      sb.append(" via ").append(InetAddresses.format(gateway));
    }
    if (dev != null) {
      sb.append(" dev ").append(dev);
    }
    if (table != 254 && table != 0) {
      sb.append(" table ").append(table == 255 ? "local" : Integer.toString(table));
    }
    if (protocol != 3 && protocol != 0) {
      sb.append(" proto ").append(protocolName());
    }
    if (scope != 0) {
      sb.append(" scope ").append(scopeName());
    }
    if (preferredSource != null) {
      sb.append(" src ").append(InetAddresses.format(preferredSource));
    }
    if (metric >= 0) {
      sb.append(" metric ").append(metric);
    }
    for (String f : flagNames()) {
      sb.append(' ').append(f);
    }
    preferenceName().ifPresent(p -> sb.append(" pref ").append(p));
    return sb.toString();
  }

  private final boolean ipv6;
  private final IpPrefix destination;
  private final InetAddress gateway;
  private final int oif;
  private final String dev;
  private final int scope;
  private final int protocol;
  private final int type;
  private final InetAddress preferredSource;
  private final long metric;
  private final int table;
  private final int flags;
  private final int preference;

  private Route(Builder b) {
    this.ipv6 = b.ipv6;
    this.destination = b.destination != null ? b.destination : IpPrefix.anyOf(b.ipv6);
    this.gateway = b.gateway;
    this.oif = b.oif;
    this.dev = b.dev;
    this.scope = b.scope;
    this.protocol = b.protocol;
    this.type = b.type;
    this.preferredSource = b.preferredSource;
    this.metric = b.metric;
    this.table = b.table;
    this.flags = b.flags;
    this.preference = b.preference;
  }

  /** Whether this is an IPv6 route. */
  public boolean ipv6() {
    return ipv6;
  }

  /** The destination network: {@code 0.0.0.0/0} or {@code ::/0} for a default route, never null. */
  public IpPrefix destination() {
    return destination;
  }

  /** The next hop ({@code via}). */
  public Optional<InetAddress> gateway() {
    return Optional.ofNullable(gateway);
  }

  /** The output interface's ifindex, or 0. */
  public int oif() {
    return oif;
  }

  /** The output interface's name. */
  public Optional<String> dev() {
    return Optional.ofNullable(dev);
  }

  /** The RT_SCOPE_* value. */
  public int scope() {
    return scope;
  }

  /** The RTPROT_* value. */
  public int protocol() {
    return protocol;
  }

  /** The RTN_* value (1 unicast, 2 local, 7 unreachable...). */
  public int type() {
    return type;
  }

  /** The {@code src} address. */
  public Optional<InetAddress> preferredSource() {
    return Optional.ofNullable(preferredSource);
  }

  /** The metric (RTA_PRIORITY), or -1 when the kernel sent none. */
  public long metric() {
    return metric;
  }

  /** The routing table id (254 main). */
  public int table() {
    return table;
  }

  /** The rtm_flags (RTNH_F_LINKDOWN, RTNH_F_ONLINK, ...). */
  public int flags() {
    return flags;
  }

  /** The IPv6 router preference (RTA_PREF: 0 medium, 1 high, 3 low), or -1 when the kernel sent none (IPv4). */
  public int preference() {
    return preference;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Route other)) {
      return false;
    }
    return ipv6 == other.ipv6
        && Objects.equals(destination, other.destination)
        && Objects.equals(gateway, other.gateway)
        && oif == other.oif
        && Objects.equals(dev, other.dev)
        && scope == other.scope
        && protocol == other.protocol
        && type == other.type
        && Objects.equals(preferredSource, other.preferredSource)
        && metric == other.metric
        && table == other.table
        && flags == other.flags
        && preference == other.preference;
  }

  @Override
  public int hashCode() {
    return Objects.hash(ipv6, destination, gateway, oif, dev, scope, protocol, type, preferredSource, metric, table, flags, preference);
  }

  /** A builder with every property unset ({@code null}, 0 or the documented "none" value). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this instance's properties, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.ipv6 = ipv6;
    b.destination = destination;
    b.gateway = gateway;
    b.oif = oif;
    b.dev = dev;
    b.scope = scope;
    b.protocol = protocol;
    b.type = type;
    b.preferredSource = preferredSource;
    b.metric = metric;
    b.table = table;
    b.flags = flags;
    b.preference = preference;
    return b;
  }

  /** Builds a {@link Route}. Not thread-safe. */
  public static final class Builder {
    private boolean ipv6;
    private IpPrefix destination;
    private InetAddress gateway;
    private int oif;
    private String dev;
    private int scope;
    private int protocol;
    private int type = 1;
    private InetAddress preferredSource;
    private long metric = -1;
    private int table = 254;
    private int flags;
    private int preference = -1;

    private Builder() {}

    /** Sets {@link Route#ipv6()}. */
    public Builder ipv6(boolean ipv6) {
      this.ipv6 = ipv6;
      return this;
    }

    /** Sets {@link Route#destination()}. */
    public Builder destination(IpPrefix destination) {
      this.destination = destination;
      return this;
    }

    /** Sets {@link Route#gateway()}. */
    public Builder gateway(InetAddress gateway) {
      this.gateway = gateway;
      return this;
    }

    /** Sets {@link Route#oif()}. */
    public Builder oif(int oif) {
      this.oif = oif;
      return this;
    }

    /** Sets {@link Route#dev()}. */
    public Builder dev(String dev) {
      this.dev = dev;
      return this;
    }

    /** Sets {@link Route#scope()}. */
    public Builder scope(int scope) {
      this.scope = scope;
      return this;
    }

    /** Sets {@link Route#protocol()}. */
    public Builder protocol(int protocol) {
      this.protocol = protocol;
      return this;
    }

    /** Sets {@link Route#type()}. */
    public Builder type(int type) {
      this.type = type;
      return this;
    }

    /** Sets {@link Route#preferredSource()}. */
    public Builder preferredSource(InetAddress preferredSource) {
      this.preferredSource = preferredSource;
      return this;
    }

    /** Sets {@link Route#metric()}. */
    public Builder metric(long metric) {
      this.metric = metric;
      return this;
    }

    /** Sets {@link Route#table()}. */
    public Builder table(int table) {
      this.table = table;
      return this;
    }

    /** Sets {@link Route#flags()}. */
    public Builder flags(int flags) {
      this.flags = flags;
      return this;
    }

    /** Sets {@link Route#preference()}. */
    public Builder preference(int preference) {
      this.preference = preference;
      return this;
    }

    /** The Route; an unset destination makes it a default route. */
    public Route build() {
      return new Route(this);
    }
  }
}
