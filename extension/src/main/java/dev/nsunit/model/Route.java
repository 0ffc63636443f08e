package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A route, as {@code ip route show} (or {@code ip -6 route show}) reports it.
 *
 * @param ipv6 whether this is an IPv6 route
 * @param destination the destination network, or {@code null} for the default route
 * @param gateway the next hop ({@code via}), or {@code null}
 * @param oif the output interface's ifindex, or 0
 * @param dev the output interface's name, or {@code null}
 * @param scope the RT_SCOPE_* value
 * @param protocol the RTPROT_* value
 * @param type the RTN_* value (1 unicast, 2 local, 7 unreachable...)
 * @param preferredSource the {@code src} address, or {@code null}
 * @param metric the metric (RTA_PRIORITY), or -1 when the kernel sent none
 * @param table the routing table id (254 main)
 * @param flags the rtm_flags (RTNH_F_LINKDOWN, RTNH_F_ONLINK, ...)
 * @param preference the IPv6 router preference (RTA_PREF: 0 medium, 1 high, 3 low), or -1 when
 *     the kernel sent none (IPv4)
 */
public record Route(boolean ipv6, IpPrefix destination, InetAddress gateway, int oif, String dev,
    int scope, int protocol, int type, InetAddress preferredSource, long metric, int table,
    int flags, int preference) {

  /** rtm_flags bits in the order iproute2 prints them (print_rt_flags). */
  private static final int[] FLAG_BITS = {
    0x1, 0x4, 0x2, 0x8, 0x4000, 0x8000, 0x40, 0x100, 0x10, 0x20, 0x20000000
  };
  private static final String[] FLAG_NAMES = {
    "dead", "onlink", "pervasive", "offload", "rt_offload", "rt_trap", "trap", "notify", "linkdown",
    "unresolved", "rt_offload_failed"
  };

  /** A route without flags or preference. */
  public Route(boolean ipv6, IpPrefix destination, InetAddress gateway, int oif, String dev,
      int scope, int protocol, int type, InetAddress preferredSource, long metric, int table) {
    this(ipv6, destination, gateway, oif, dev, scope, protocol, type, preferredSource, metric, table, 0, -1);
  }

  /** Whether this is a default route (0.0.0.0/0 or ::/0). */
  public boolean isDefault() {
    return destination == null || destination.length() == 0;
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

  /** The IPv6 preference as iproute2 names it ({@code low}, {@code medium}, {@code high}), or {@code null}. */
  public String preferenceName() {
    switch (preference) {
      case -1: return null;
      case 0: return "medium";
      case 1: return "high";
      case 3: return "low";
      default: return Integer.toString(preference);
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
    if (preference >= 0) {
      sb.append(" pref ").append(preferenceName());
    }
    return sb.toString();
  }
}
