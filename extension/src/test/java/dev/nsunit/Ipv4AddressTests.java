package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkNamespace#ipv4Address()} against the oracle: the IPv4 addresses that
 * {@code ip -j -4 addr show dev eth0}, run in the same namespace, reports.
 */
class Ipv4AddressTests {
  @BridgeNetwork
  static NetworkNamespace server;

  @BridgeNetwork(subnet = "100.73.0.0/24", address = "100.73.0.77")
  NetworkNamespace fixed;

  @Test
  @BridgeNetwork
  void aBridgeEndpointsAddressIsTheOneIpShowsOnEth0(NetworkNamespace ns) throws Exception {
    InetAddress address = ns.ipv4Address().orElseThrow();
    assertThat(ipv4OfEth0(ns)).containsExactly(address.getHostAddress());
    assertThat(address.getHostAddress()).startsWith("172.17.");
    assertThat(ipv4OfEth0(server)).containsExactly(server.ipv4Address().orElseThrow().getHostAddress());
    assertThat(server.ipv4Address()).isNotEqualTo(ns.ipv4Address());
  }

  @Test
  @BridgeNetwork
  void aFixedAddressIsReturnedAsDeclared() throws Exception {
    assertThat(fixed.ipv4Address()).map(InetAddress::getHostAddress).hasValue("100.73.0.77");
    assertThat(ipv4OfEth0(fixed)).containsExactly("100.73.0.77");
  }

  @Test
  @SharedNetworkWith("server")
  void aSharedNamespaceHasTheAddressOfTheEndpointItShares(NetworkNamespace ns) {
    assertThat(ns.ipv4Address()).isEqualTo(server.ipv4Address()).isPresent();
  }

  @Test
  @NoNetwork
  void noNetworkHasNone(NetworkNamespace ns) throws Exception {
    assertThat(ns.ipv4Address()).isEqualTo(Optional.empty());
    JsonNode links = oracle(() -> Commands.ipJson(ns.path().toString(), "link"));
    assertThat(links.findValuesAsText("ifname")).containsExactly("lo");
  }

  private static List<String> ipv4OfEth0(NetworkNamespace ns) throws Exception {
    List<String> out = new ArrayList<>();
    for (JsonNode link : oracle(() -> Commands.ipJson(ns.path().toString(), "-4", "addr", "show", "dev", "eth0"))) {
      for (JsonNode a : link.path("addr_info")) {
        out.add(a.path("local").asText());
      }
    }
    return out;
  }

  /**
   * Runs iproute2 from a thread in the JVM's own namespace: the JDK's "process reaper" thread is
   * started by whichever thread first starts a process, and one started from the test's thread
   * would sit in the test's namespace, keeping it alive after the test.
   */
  private static JsonNode oracle(Callable<JsonNode> ip) throws Exception {
    try (NetworkNamespace host = NetworkNamespace.host()) {
      return host.call(ip);
    }
  }
}
