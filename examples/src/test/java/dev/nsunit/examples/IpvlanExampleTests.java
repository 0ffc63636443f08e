package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;

import dev.nsunit.Connect;
import dev.nsunit.Network;
import dev.nsunit.NetworkDriver;
import dev.nsunit.NetworkNamespace;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * Docker's ipvlan driver in L2 mode, as in
 * {@code docker network create -d ipvlan --subnet 192.168.70.0/24 -o ipvlan_mode=l2 -o parent=eth0 lan}:
 * like macvlan, but every endpoint shares the parent's MAC.
 *
 * <p>It needs a kernel with CONFIG_IPVLAN. Where the kernel lacks it (this project's CI machine
 * does), the class is skipped with that reason, and creating such a network fails naming the
 * option; the request nsunit sends is proven against iproute2's bytes instead
 * ({@code IpvlanRequestTests} in the extension's tests).
 */
@EnabledIf(value = "dev.nsunit.examples.KernelSupport#ipvlan", disabledReason = "this kernel has no ipvlan (CONFIG_IPVLAN)")
@Network(name = "iplan", driver = NetworkDriver.IPVLAN, subnet = "192.168.70.0/24")
class IpvlanExampleTests {
  @Connect(network = "iplan")
  static NetworkNamespace printer;

  @Test
  @Connect(network = "iplan")
  void anEndpointSharesTheParentsLan(NetworkNamespace ns) {
    assertThat(ns).hasInterface("eth0").withAddressIn("192.168.70.0/24").isUp();
    assertThat(ns).hasDefaultRoute().via("192.168.70.1");
    assertThat(ns).canReach(printer.ipv4Address("iplan").orElseThrow().getHostAddress());
  }
}
