package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;

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
 */
public record Route(boolean ipv6, IpPrefix destination, InetAddress gateway, int oif, String dev,
    int scope, int protocol, int type, InetAddress preferredSource, long metric, int table) {

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

  /** Like a line of {@code ip route}: {@code 172.17.0.0/16 dev eth0 proto kernel scope link src 172.17.0.2}. */
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
    return sb.toString();
  }
}
