package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.Connect;
import dev.nsunit.Network;
import dev.nsunit.NetworkDriver;
import dev.nsunit.NetworkNamespace;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * Docker's overlay driver across two Docker hosts, as in
 * {@code docker network create -d overlay --subnet 10.0.9.0/24 mesh} on a swarm: a service on
 * {@code node2} and the test on {@code node1} talk over VXLAN (VNI 4096 and up, UDP port 4789)
 * across the underlay that joins the lab hosts (simulated Docker hosts).
 *
 * <pre>
 *  lab host node1                             lab host node2
 *   test 10.0.9.x --ov bridge--vxlan ====underlay==== vxlan--ov bridge-- api 10.0.9.y
 * </pre>
 */
@Network(name = "mesh", driver = NetworkDriver.OVERLAY, subnet = "10.0.9.0/24")
class OverlayExampleTests {
  @Connect(network = "mesh", aliases = "api", labHost = "node2")
  static NetworkNamespace api;

  @Test
  @Connect(network = "mesh", labHost = "node1")
  void reachesAServiceOnAnotherDockerHost(NetworkNamespace ns) {
    assertThat(ns).hasInterface("eth0").withAddressIn("10.0.9.0/24").hasMtu(1450).isUp();
    InetAddress service = ns.resolve("api").get(0);      // names work across hosts, as in a swarm
    assertThat(service).isEqualTo(api.ipv4Address("mesh").orElseThrow());
    assertThat(ns).canReach(service.getHostAddress());
  }
}
