package dev.nsunit.assertions;

import static dev.nsunit.assertions.error.ShouldHaveAddress.shouldHaveAddress;
import static dev.nsunit.assertions.error.ShouldHaveAddress.shouldHaveAddressIn;
import static dev.nsunit.assertions.error.ShouldHaveAddress.shouldHaveNoAddressOfFamily;
import static dev.nsunit.assertions.error.ShouldHaveInterfaceProperty.shouldHaveInterfaceProperty;

import dev.nsunit.model.Address;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Assertions on one interface of a namespace, reached with {@link NamespaceAssert#hasInterface}.
 * {@link #and()} returns to the namespace.
 */
public class InterfaceAssert extends AbstractNetworkAssert<InterfaceAssert, Link> {

  /** Prefer {@link NamespaceAssert#hasInterface}; public for AssertJ's soft-assertion proxies. */
  public InterfaceAssert(Link link) {
    super(link, InterfaceAssert.class);
  }

  private List<Address> addresses() {
    return context().snapshot == null ? List.of() : context().snapshot.addressesOf(actual.name());
  }

  private InterfaceAssert check(boolean ok, String property, Object expected, Object found) {
    if (!ok) {
      report(shouldHaveInterfaceProperty(context().name, actual.name(), property, expected, found,
          context().snapshot));
    }
    return myself;
  }

  private String state() {
    return "<" + String.join(",", actual.flagNames()) + "> state " + actual.operState();
  }

  /**
   * Verifies that the interface is administratively up (IFF_UP, {@code ip link set X up}).
   *
   * <pre>{@code
   * // passes: lo is up in every namespace nsunit creates
   * assertThat(ns).hasInterface("lo").isUp();
   * // fails after: ip link set eth0 down
   * assertThat(ns).hasInterface("eth0").isUp();
   * }</pre>
   */
  public InterfaceAssert isUp() {
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.isUp(), "state", "UP", state());
  }

  /**
   * Verifies that the interface is administratively down (no IFF_UP).
   *
   * <pre>{@code
   * // passes for a veth just created
   * assertThat(ns).hasInterface("veth0").isDown();
   * // fails: lo is up
   * assertThat(ns).hasInterface("lo").isDown();
   * }</pre>
   */
  public InterfaceAssert isDown() {
    if (nothingToCheck()) {
      return myself;
    }
    return check(!actual.isUp(), "state", "DOWN", state());
  }

  /**
   * Verifies that the interface is a loopback device (IFF_LOOPBACK).
   *
   * <pre>{@code
   * // passes
   * assertThat(ns).hasInterface("lo").isLoopback();
   * // fails
   * assertThat(ns).hasInterface("eth0").isLoopback();
   * }</pre>
   */
  public InterfaceAssert isLoopback() {
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.isLoopback(), "flag", "LOOPBACK", state());
  }

  /**
   * Verifies the interface's MTU.
   *
   * <pre>{@code
   * // passes: Docker's default
   * assertThat(web).hasInterface("eth0").hasMtu(1500);
   * // fails
   * assertThat(web).hasInterface("eth0").hasMtu(9000);
   * }</pre>
   */
  public InterfaceAssert hasMtu(int mtu) {
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.mtu() == mtu, "mtu", mtu, actual.mtu());
  }

  /**
   * Verifies the interface's hardware address, ignoring case.
   *
   * <pre>{@code
   * // passes after: ip link set eth0 address 02:42:ac:11:00:02
   * assertThat(web).hasInterface("eth0").hasMac("02:42:AC:11:00:02");
   * // fails
   * assertThat(web).hasInterface("eth0").hasMac("02:42:ac:11:00:99");
   * }</pre>
   */
  public InterfaceAssert hasMac(String mac) {
    Objects.requireNonNull(mac, "mac");
    if (nothingToCheck()) {
      return myself;
    }
    String found = actual.mac().orElse(null);
    return check(found != null && found.equalsIgnoreCase(mac), "MAC address", mac.toLowerCase(Locale.ROOT), found);
  }

  /**
   * Verifies that the interface has {@code address}: with a prefix length ({@code 172.17.0.3/16})
   * the length must match too; without one, any length does.
   *
   * <pre>{@code
   * // passes
   * assertThat(web).hasInterface("eth0").hasAddress("172.17.0.2/16").hasAddress("172.17.0.2");
   * // fails: the prefix length differs
   * assertThat(web).hasInterface("eth0").hasAddress("172.17.0.2/24");
   * }</pre>
   */
  public InterfaceAssert hasAddress(String address) {
    boolean withLength = address.indexOf('/') >= 0;
    IpPrefix expected = IpPrefix.parse(address);
    if (nothingToCheck()) {
      return myself;
    }
    Predicate<Address> match = a -> a.address().equals(expected.address())
        && (!withLength || a.prefixLength() == expected.length());
    if (addresses().stream().noneMatch(match)) {
      report(shouldHaveAddress(context().name, actual.name(), address, addresses(), context().snapshot));
    }
    return myself;
  }

  /**
   * Verifies that the interface has at least one address inside {@code subnet}, whatever it is
   * exactly (e.g. one handed out by an IPAM).
   *
   * <pre>{@code
   * // passes
   * assertThat(web).hasInterface("eth0").withAddressIn("172.17.0.0/16");
   * // fails
   * assertThat(web).hasInterface("eth0").withAddressIn("10.0.0.0/8");
   * }</pre>
   */
  public InterfaceAssert withAddressIn(String subnet) {
    IpPrefix prefix = IpPrefix.parse(subnet);
    if (nothingToCheck()) {
      return myself;
    }
    if (addresses().stream().noneMatch(a -> prefix.contains(a.address()))) {
      report(shouldHaveAddressIn(context().name, actual.name(), subnet, addresses(), context().snapshot));
    }
    return myself;
  }

  /**
   * Verifies that one of the interface's IPv4 addresses has the broadcast address {@code
   * broadcast} ({@code brd} in {@code ip addr}).
   *
   * <pre>{@code
   * // passes for 172.17.0.2/16 added with "brd +"
   * assertThat(web).hasInterface("eth0").hasBroadcast("172.17.255.255");
   * // fails
   * assertThat(web).hasInterface("eth0").hasBroadcast("172.17.0.255");
   * }</pre>
   */
  public InterfaceAssert hasBroadcast(String broadcast) {
    InetAddress expected = InetAddresses.parse(broadcast);
    if (nothingToCheck()) {
      return myself;
    }
    List<String> found = addresses().stream().flatMap(a -> a.broadcast().stream())
        .map(InetAddresses::format).collect(Collectors.toList());
    return check(addresses().stream().anyMatch(a -> a.broadcast().filter(expected::equals).isPresent()), "broadcast address",
        broadcast, found);
  }

  /**
   * Verifies that the interface has no IPv4 address.
   *
   * <pre>{@code
   * // passes for an IPv6-only interface
   * assertThat(ns).hasInterface("eth0").hasNoIpv4();
   * // fails: lo has 127.0.0.1
   * assertThat(ns).hasInterface("lo").hasNoIpv4();
   * }</pre>
   */
  public InterfaceAssert hasNoIpv4() {
    return noAddressOfFamily(4, Address::isIpv4);
  }

  /**
   * Verifies that the interface has no IPv6 address (not even a link-local one).
   *
   * <pre>{@code
   * // passes for an interface with IPv6 disabled, or still down (no link-local yet)
   * assertThat(ns).hasInterface("veth0").hasNoIpv6();
   * // fails: lo has ::1
   * assertThat(ns).hasInterface("lo").hasNoIpv6();
   * }</pre>
   */
  public InterfaceAssert hasNoIpv6() {
    return noAddressOfFamily(6, Address::isIpv6);
  }

  private InterfaceAssert noAddressOfFamily(int version, Predicate<Address> family) {
    if (nothingToCheck()) {
      return myself;
    }
    List<Address> found = addresses().stream().filter(family).collect(Collectors.toList());
    if (!found.isEmpty()) {
      report(shouldHaveNoAddressOfFamily(context().name, actual.name(), version, found, context().snapshot));
    }
    return myself;
  }

  /**
   * Verifies the interface's kind (IFLA_INFO_KIND), e.g. {@code veth}, {@code bridge}, {@code
   * macvlan}, {@code vxlan}.
   *
   * <pre>{@code
   * // passes
   * assertThat(web).hasInterface("eth0").hasKind("veth");
   * // fails: lo has no kind
   * assertThat(web).hasInterface("lo").hasKind("veth");
   * }</pre>
   */
  public InterfaceAssert hasKind(String kind) {
    Objects.requireNonNull(kind, "kind");
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.kind().filter(kind::equals).isPresent(), "kind", kind, actual.kind().orElse("none"));
  }

  /**
   * Verifies that the interface is one end of a veth pair.
   *
   * <pre>{@code
   * // passes for a bridge endpoint's eth0
   * assertThat(web).hasInterface("eth0").isVeth();
   * // fails
   * assertThat(web).hasInterface("lo").isVeth();
   * }</pre>
   */
  public InterfaceAssert isVeth() {
    return hasKind("veth");
  }

  /**
   * Verifies that the interface is a bridge.
   *
   * <pre>{@code
   * // passes in the lab host
   * assertThat(lab).hasInterface("nsunit0").isBridge();
   * // fails for a veth
   * assertThat(web).hasInterface("eth0").isBridge();
   * }</pre>
   */
  public InterfaceAssert isBridge() {
    return hasKind("bridge");
  }

  /**
   * Verifies that the interface is a macvlan.
   *
   * <pre>{@code
   * // passes for an endpoint on a macvlan network
   * assertThat(mv).hasInterface("eth0").isMacvlan();
   * // fails for a veth
   * assertThat(web).hasInterface("eth0").isMacvlan();
   * }</pre>
   */
  public InterfaceAssert isMacvlan() {
    return hasKind("macvlan");
  }

  /**
   * Verifies that the interface is a VXLAN device.
   *
   * <pre>{@code
   * // passes for an overlay's vxlan device
   * assertThat(lab).hasInterface("vx0").isVxlan();
   * // fails for a veth
   * assertThat(web).hasInterface("eth0").isVxlan();
   * }</pre>
   */
  public InterfaceAssert isVxlan() {
    return hasKind("vxlan");
  }

  /**
   * Verifies that the interface is enslaved to {@code master}, e.g. a bridge port's bridge.
   *
   * <pre>{@code
   * // passes in the lab host for an endpoint's host-side veth
   * assertThat(lab).hasInterface("veth1a2b3c").hasMaster("nsunit0");
   * // fails for a port of another bridge, or none
   * assertThat(lab).hasInterface("veth1a2b3c").hasMaster("br-other");
   * }</pre>
   */
  public InterfaceAssert hasMaster(String master) {
    Objects.requireNonNull(master, "master");
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.master().filter(master::equals).isPresent(), "master", master, actual.master().orElse("none"));
  }
}
