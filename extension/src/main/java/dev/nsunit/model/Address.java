package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An address on an interface, as {@code ip addr show} reports it.
 *
 * <p>Instances are read from the kernel; {@link #builder()} makes one by hand, e.g. an
 * expected value in a test. Properties are added over time as new accessors and builder
 * methods, so code that reads or builds instances keeps compiling.
 */
public final class Address {

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

  private final int index;
  private final String interfaceName;
  private final InetAddress address;
  private final int prefixLength;
  private final InetAddress broadcast;
  private final int scope;
  private final int flags;
  private final String label;

  private Address(Builder b) {
    this.index = b.index;
    this.interfaceName = Objects.requireNonNull(b.interfaceName, "interfaceName");
    this.address = Objects.requireNonNull(b.address, "address");
    this.prefixLength = b.prefixLength;
    this.broadcast = b.broadcast;
    this.scope = b.scope;
    this.flags = b.flags;
    this.label = b.label;
  }

  /** The interface's ifindex. */
  public int index() {
    return index;
  }

  /** The interface's name. */
  public String interfaceName() {
    return interfaceName;
  }

  /** The local address (IFA_LOCAL for IPv4, IFA_ADDRESS for IPv6). */
  public InetAddress address() {
    return address;
  }

  /** The prefix length. */
  public int prefixLength() {
    return prefixLength;
  }

  /** The IPv4 broadcast address. */
  public Optional<InetAddress> broadcast() {
    return Optional.ofNullable(broadcast);
  }

  /** The RT_SCOPE_* value (0 global, 253 link, 254 host). */
  public int scope() {
    return scope;
  }

  /** The IFA_F_* flags. */
  public int flags() {
    return flags;
  }

  /** The IPv4 label. */
  public Optional<String> label() {
    return Optional.ofNullable(label);
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Address other)) {
      return false;
    }
    return index == other.index
        && Objects.equals(interfaceName, other.interfaceName)
        && Objects.equals(address, other.address)
        && prefixLength == other.prefixLength
        && Objects.equals(broadcast, other.broadcast)
        && scope == other.scope
        && flags == other.flags
        && Objects.equals(label, other.label);
  }

  @Override
  public int hashCode() {
    return Objects.hash(index, interfaceName, address, prefixLength, broadcast, scope, flags, label);
  }

  /** A builder with every property unset ({@code null}, 0 or the documented "none" value). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this instance's properties, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.index = index;
    b.interfaceName = interfaceName;
    b.address = address;
    b.prefixLength = prefixLength;
    b.broadcast = broadcast;
    b.scope = scope;
    b.flags = flags;
    b.label = label;
    return b;
  }

  /** Builds a {@link Address}. Not thread-safe. */
  public static final class Builder {
    private int index;
    private String interfaceName;
    private InetAddress address;
    private int prefixLength;
    private InetAddress broadcast;
    private int scope;
    private int flags;
    private String label;

    private Builder() {}

    /** Sets {@link Address#index()}. */
    public Builder index(int index) {
      this.index = index;
      return this;
    }

    /** Sets {@link Address#interfaceName()}. */
    public Builder interfaceName(String interfaceName) {
      this.interfaceName = interfaceName;
      return this;
    }

    /** Sets {@link Address#address()}. */
    public Builder address(InetAddress address) {
      this.address = address;
      return this;
    }

    /** Sets {@link Address#prefixLength()}. */
    public Builder prefixLength(int prefixLength) {
      this.prefixLength = prefixLength;
      return this;
    }

    /** Sets {@link Address#broadcast()}. */
    public Builder broadcast(InetAddress broadcast) {
      this.broadcast = broadcast;
      return this;
    }

    /** Sets {@link Address#scope()}. */
    public Builder scope(int scope) {
      this.scope = scope;
      return this;
    }

    /** Sets {@link Address#flags()}. */
    public Builder flags(int flags) {
      this.flags = flags;
      return this;
    }

    /** Sets {@link Address#label()}. */
    public Builder label(String label) {
      this.label = label;
      return this;
    }

    /** The Address. Throws NullPointerException if address, interfaceName is unset. */
    public Address build() {
      return new Address(this);
    }
  }
}
