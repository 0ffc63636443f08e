package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An address on an interface, as {@code ip addr show} reports it.
 *
 * @param index the interface's ifindex
 * @param interfaceName the interface's name
 * @param address the local address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6)
 * @param prefixLength the prefix length
 * @param broadcast the IPv4 broadcast address, or {@code null}
 * @param scope the RT_SCOPE_* value (0 global, 253 link, 254 host)
 * @param flags the IFA_F_* flags
 * @param label the IPv4 label, or {@code null}
 */
public record Address(int index, String interfaceName, InetAddress address, int prefixLength,
    InetAddress broadcast, int scope, int flags, String label) {

  private static final int IFA_F_SECONDARY = 0x01;
  private static final int IFA_F_TENTATIVE = 0x40;
  private static final int IFA_F_PERMANENT = 0x80;
  /** IFA_F_* bits in the order iproute2 prints them (print_ifa_flags); PERMANENT prints as "dynamic" when clear. */
  private static final int[] FLAG_BITS = {
    0x02, 0x04, 0x08, 0x10, 0x20, IFA_F_TENTATIVE, IFA_F_PERMANENT, 0x100, 0x200, 0x400, 0x800
  };
  private static final String[] FLAG_NAMES = {
    "nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative", "dynamic", "mngtmpaddr",
    "noprefixroute", "autojoin", "stable-privacy"
  };

  /** Whether this is an IPv6 address. */
  public boolean isIpv6() {
    return address instanceof Inet6Address;
  }

  /** Whether this is an IPv4 address. */
  public boolean isIpv4() {
    return !isIpv6();
  }

  /** The address with its prefix, e.g. {@code 172.17.0.2/16}. */
  public IpPrefix prefix() {
    return new IpPrefix(address, prefixLength);
  }

  /** Whether DAD has not finished (IFA_F_TENTATIVE). */
  public boolean isTentative() {
    return (flags & IFA_F_TENTATIVE) != 0;
  }

  /** The scope as iproute2 names it: global, site, link, host, nowhere, or the number. */
  public String scopeName() {
    return Route.scopeName(scope);
  }

  /** The flags iproute2 prints after the scope, in its order, e.g. {@code [nodad, dynamic, noprefixroute]}. */
  public List<String> flagNames() {
    List<String> out = new ArrayList<>();
    if ((flags & IFA_F_SECONDARY) != 0) {
      out.add(isIpv6() ? "temporary" : "secondary");
    }
    for (int i = 0; i < FLAG_BITS.length; i++) {
      boolean set = (flags & FLAG_BITS[i]) != 0;
      if (FLAG_BITS[i] == IFA_F_PERMANENT ? !set : set) {
        out.add(FLAG_NAMES[i]);
      }
    }
    return out;
  }

  /** Like a line of {@code ip addr}: {@code inet 172.17.0.2/16 brd 172.17.255.255 scope global eth0}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(isIpv6() ? "inet6 " : "inet ");
    sb.append(InetAddresses.format(address)).append('/').append(prefixLength);
    if (broadcast != null) {
      sb.append(" brd ").append(InetAddresses.format(broadcast));
    }
    sb.append(" scope ").append(scopeName());
    for (String f : flagNames()) {
      sb.append(' ').append(f);
    }
    if (isIpv4()) {
      sb.append(' ').append(label != null ? label : interfaceName);
    }
    return sb.toString();
  }
}
