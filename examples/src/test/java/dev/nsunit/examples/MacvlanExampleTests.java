package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;

import dev.nsunit.Connect;
import dev.nsunit.Network;
import dev.nsunit.NetworkDriver;
import dev.nsunit.NetworkNamespace;
import org.junit.jupiter.api.Test;

/**
 * Docker's macvlan driver, as in
 * {@code docker network create -d macvlan --subnet 192.168.60.0/24 --gateway 192.168.60.1 -o parent=eth0 lan}:
 * endpoints appear on the "physical" LAN with MACs of their own, next to its router, as if they
 * were machines on it.
 *
 * <pre>
 * LAN 192.168.60.0/24: router .1 -- parent (the lab host, .254) ==macvlan== printer .2, test .3
 * </pre>
 *
 * <p>They reach each other and the router, but not the lab host's own address on the parent:
 * the kernel passes nothing between a macvlan's parent and its children, which is why a Docker
 * host cannot reach its macvlan containers.
 */
@Network(name = "lan", driver = NetworkDriver.MACVLAN, subnet = "192.168.60.0/24")
class MacvlanExampleTests {
  @Connect(network = "lan", aliases = "printer")
  static NetworkNamespace printer;

  @Test
  @Connect(network = "lan")
  void anEndpointIsAMachineOnTheLan(NetworkNamespace ns) {
    assertThat(ns).hasInterface("eth0").withAddressIn("192.168.60.0/24").isUp();
    assertThat(ns).hasDefaultRoute().via("192.168.60.1");   // the LAN's router
    assertThat(ns).canReach("192.168.60.1");
    assertThat(ns).canReach(printer.ipv4Address("lan").orElseThrow().getHostAddress());
    assertThat(ns).cannotReach("192.168.60.254");             // the parent: the kernel's rule
  }
}
