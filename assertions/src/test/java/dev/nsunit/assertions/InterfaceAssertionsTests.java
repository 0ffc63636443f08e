package dev.nsunit.assertions;

import static dev.nsunit.testing.Ip.ip;
import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static dev.nsunit.assertions.error.ShouldHaveAddress.shouldHaveAddress;
import static dev.nsunit.assertions.error.ShouldHaveAddress.shouldHaveAddressIn;
import static dev.nsunit.assertions.error.ShouldHaveAddress.shouldHaveNoAddressOfFamily;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveExactlyInterfaces;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveInterface;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveInterfaces;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveOnlyLoopback;
import static dev.nsunit.assertions.error.ShouldHaveInterfaceProperty.shouldHaveInterfaceProperty;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.NetworkSnapshot;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One namespace with lo, a veth pair v0 (up, addresses, MAC set) / v1 (down, enslaved to br0), a
 * bridge br0, a macvlan mv0 on v0 and a vxlan vx0.
 */
class InterfaceAssertionsTests {
  private static NetworkNamespace ns;
  private static NetworkNamespace none;

  @BeforeAll
  static void topology() {
    ns = NetworkNamespace.create("interfaces");
    none = NetworkNamespace.create("none");
    ip(ns.path(), "link", "add", "v0", "type", "veth", "peer", "name", "v1");
    ip(ns.path(), "link", "set", "v0", "address", "02:42:ac:11:00:03", "mtu", "1400");
    ip(ns.path(), "addr", "add", "172.17.0.3/16", "brd", "+", "dev", "v0");
    ip(ns.path(), "link", "set", "v0", "up");
    ip(ns.path(), "link", "add", "br0", "type", "bridge");
    ip(ns.path(), "link", "set", "v1", "master", "br0");
    ip(ns.path(), "link", "add", "mv0", "link", "v0", "type", "macvlan", "mode", "bridge");
    ip(ns.path(), "link", "add", "vx0", "type", "vxlan", "id", "42", "dstport", "4789");
  }

  @AfterAll
  static void cleanup() {
    try {
      ns.close();
    } finally {
      none.close();
    }
  }

  private static String name() {
    return ns.toString();
  }

  @Test
  void hasInterfaceNavigatesOrSaysWhichInterfacesExist() {
    assertThat(ns).hasInterface("v0").isUp();

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterface("eth9"))
        .hasMessage(shouldHaveInterface(name(), "eth9", a.snapshot()).create());
  }

  @Test
  void failureMessagesCarryTheNamespaceStateAsEvidence() {
    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterface("eth9"))
        .hasMessageContaining("Evidence from " + name())
        .hasMessageContaining("$ ip addr")
        .hasMessageContaining("inet 172.17.0.3/16 brd 172.17.255.255 scope global v0")
        .hasMessageContaining("$ ip route")
        .hasMessageContaining("172.17.0.0/16 dev v0 proto kernel scope link src 172.17.0.3")
        .hasMessageContaining("$ ss -ltnu");
  }

  @Test
  void isUpAndIsDown() {
    assertThat(ns).hasInterface("lo").isUp().and().hasInterface("v1").isDown();

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.hasInterface("v1").isUp())
        .hasMessage(shouldHaveInterfaceProperty(name(), "v1", "state", "UP", state(s, "v1"), s).create());
    assertThatThrownBy(() -> a.hasInterface("lo").isDown())
        .hasMessage(shouldHaveInterfaceProperty(name(), "lo", "state", "DOWN", state(s, "lo"), s).create());
  }

  private static String state(NetworkSnapshot s, String name) {
    var l = s.link(name).orElseThrow();
    return "<" + String.join(",", l.flagNames()) + "> state " + l.operState();
  }

  @Test
  void isLoopback() {
    assertThat(ns).hasInterface("lo").isLoopback();

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.hasInterface("v0").isLoopback())
        .hasMessage(shouldHaveInterfaceProperty(name(), "v0", "flag", "LOOPBACK", state(s, "v0"), s).create());
  }

  @Test
  void hasMtu() {
    assertThat(ns).hasInterface("v0").hasMtu(1400).and().hasInterface("lo").hasMtu(65536);

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterface("v0").hasMtu(1500))
        .hasMessage(shouldHaveInterfaceProperty(name(), "v0", "mtu", 1500, 1400, a.snapshot()).create());
  }

  @Test
  void hasMacIgnoringCase() {
    assertThat(ns).hasInterface("v0").hasMac("02:42:AC:11:00:03");

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterface("v0").hasMac("02:42:ac:11:00:99"))
        .hasMessage(shouldHaveInterfaceProperty(name(), "v0", "MAC address", "02:42:ac:11:00:99",
            "02:42:ac:11:00:03", a.snapshot()).create());
  }

  @Test
  void hasAddressExactlyOrWithoutPrefixLength() {
    assertThat(ns).hasInterface("v0").hasAddress("172.17.0.3/16").hasAddress("172.17.0.3")
        .and().hasInterface("lo").hasAddress("::1/128");

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.hasInterface("v0").hasAddress("172.17.0.3/24"))
        .hasMessage(shouldHaveAddress(name(), "v0", "172.17.0.3/24", s.addressesOf("v0"), s).create());
    assertThatThrownBy(() -> a.hasInterface("v0").hasAddress("172.17.0.9"))
        .hasMessage(shouldHaveAddress(name(), "v0", "172.17.0.9", s.addressesOf("v0"), s).create());
  }

  @Test
  void withAddressIn() {
    assertThat(ns).hasInterface("v0").withAddressIn("172.17.0.0/16").withAddressIn("172.0.0.0/8");

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.hasInterface("v0").withAddressIn("10.0.0.0/8"))
        .hasMessage(shouldHaveAddressIn(name(), "v0", "10.0.0.0/8", s.addressesOf("v0"), s).create());
  }

  @Test
  void hasBroadcast() {
    assertThat(ns).hasInterface("v0").hasBroadcast("172.17.255.255");

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterface("v0").hasBroadcast("172.17.0.255"))
        .hasMessage(shouldHaveInterfaceProperty(name(), "v0", "broadcast address", "172.17.0.255",
            List.of("172.17.255.255"), a.snapshot()).create());
  }

  @Test
  void hasNoIpv4AndHasNoIpv6() {
    // v1 is down and has no address at all (no link-local before it is up)
    assertThat(ns).hasInterface("v1").hasNoIpv4().hasNoIpv6();

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    var loV4 = s.addressesOf("lo").stream().filter(x -> x.isIpv4()).toList();
    var loV6 = s.addressesOf("lo").stream().filter(x -> x.isIpv6()).toList();
    assertThatThrownBy(() -> a.hasInterface("lo").hasNoIpv4())
        .hasMessage(shouldHaveNoAddressOfFamily(name(), "lo", 4, loV4, s).create());
    assertThatThrownBy(() -> a.hasInterface("lo").hasNoIpv6())
        .hasMessage(shouldHaveNoAddressOfFamily(name(), "lo", 6, loV6, s).create());
  }

  @Test
  void kinds() {
    assertThat(ns).hasInterface("v0").isVeth().hasKind("veth")
        .and().hasInterface("br0").isBridge()
        .and().hasInterface("mv0").isMacvlan()
        .and().hasInterface("vx0").isVxlan();

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.hasInterface("v0").isBridge())
        .hasMessage(shouldHaveInterfaceProperty(name(), "v0", "kind", "bridge", "veth", s).create());
    assertThatThrownBy(() -> a.hasInterface("br0").isMacvlan())
        .hasMessage(shouldHaveInterfaceProperty(name(), "br0", "kind", "macvlan", "bridge", s).create());
    assertThatThrownBy(() -> a.hasInterface("mv0").isVxlan())
        .hasMessage(shouldHaveInterfaceProperty(name(), "mv0", "kind", "vxlan", "macvlan", s).create());
    assertThatThrownBy(() -> a.hasInterface("lo").isVeth())
        .hasMessage(shouldHaveInterfaceProperty(name(), "lo", "kind", "veth", "none", s).create());
  }

  @Test
  void hasMaster() {
    assertThat(ns).hasInterface("v1").hasMaster("br0");

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterface("v0").hasMaster("br0"))
        .hasMessage(shouldHaveInterfaceProperty(name(), "v0", "master", "br0", "none", a.snapshot()).create());
  }

  @Test
  void hasOnlyLoopback() {
    assertThat(none).hasOnlyLoopback();

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(a::hasOnlyLoopback)
        .hasMessage(shouldHaveOnlyLoopback(name(), List.of("v1", "v0", "br0", "mv0", "vx0"), a.snapshot()).create());
  }

  @Test
  void hasInterfacesContaining() {
    assertThat(ns).hasInterfaces("v0", "lo");

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasInterfaces("v0", "eth1"))
        .hasMessage(shouldHaveInterfaces(name(), List.of("v0", "eth1"), List.of("eth1"), a.snapshot()).create());
  }

  @Test
  void hasExactlyInterfacesInAnyOrder() {
    assertThat(none).hasExactlyInterfaces("lo");
    assertThat(ns).hasExactlyInterfaces("vx0", "mv0", "br0", "v0", "v1", "lo");

    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasExactlyInterfaces("lo", "eth0"))
        .hasMessage(shouldHaveExactlyInterfaces(name(), List.of("lo", "eth0"), List.of("eth0"),
            List.of("v1", "v0", "br0", "mv0", "vx0"), a.snapshot()).create());
  }
}
