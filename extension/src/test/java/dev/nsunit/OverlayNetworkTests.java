package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.InetAddresses;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Overlay networks across lab hosts ({@code docker network create -d overlay}), judged from
 * outside nsunit: {@code ip -j -d link} on each lab host (a VXLAN with the VNI, port 4789 and MTU
 * 1450, a port of the overlay's bridge), the endpoints' MTU, ICMP across lab hosts, and no
 * traffic between two overlays.
 */
class OverlayNetworkTests {
  static final Duration PROBE = Duration.ofSeconds(3);
  static LabNetwork ov;
  static LabNetwork other;
  static NetworkNamespace a;
  static NetworkNamespace b;
  static NetworkNamespace c;
  static NetworkNamespace d;

  @BeforeAll
  static void topology() {
    ov = LabNetwork.builder("ov-net").driver(NetworkDriver.OVERLAY).subnet("10.110.0.0/24").create();
    other = LabNetwork.builder("ov-other").driver(NetworkDriver.OVERLAY).subnet("10.111.0.0/24").create();
    a = NetworkNamespace.create("a");
    b = NetworkNamespace.create("b");
    c = NetworkNamespace.create("c");
    d = NetworkNamespace.create("d");
    ov.connectOn("ov-node1", a);
    ov.connectOn("ov-node2", b, "api");
    ov.connectOn("ov-node3", c);
    other.connectOn("ov-node2", d);
  }

  @AfterAll
  static void end() {
    for (NetworkNamespace ns : new NetworkNamespace[] {a, b, c, d}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  static String pathOf(String labHost) {
    return "/proc/" + ProcessHandle.current().pid() + "/fd/" + Lab.get().labHost(labHost).orElseThrow().fd();
  }

  @Test
  void eachLabHostBridgesAVxlanWithDockersSettings() {
    int vni = ov.labBridge().vni().orElseThrow();
    assertThat(vni).isGreaterThanOrEqualTo(4096);
    for (String host : new String[] {"ov-node1", "ov-node2", "ov-node3"}) {
      JsonNode vx = Commands.ipJson(pathOf(host), "-d", "link", "show", "dev", "vx" + vni).get(0);
      assertThat(vx.get("mtu").asInt()).as("on %s", host).isEqualTo(1450);
      assertThat(vx.get("master").asText()).isEqualTo("ov" + vni);
      JsonNode data = vx.get("linkinfo").get("info_data");
      assertThat(data.get("id").asInt()).isEqualTo(vni);
      assertThat(data.get("port").asInt()).isEqualTo(4789);
    }
    assertThat(Commands.ipJson(b.path().toString(), "link", "show", "dev", "eth0").get(0).get("mtu").asInt())
        .isEqualTo(1450);
    assertThat(Commands.ipJson(b.path().toString(), "-4", "route", "show", "default")).as("no gateway").isEmpty();
    assertThat(ov.driver()).isEqualTo(NetworkDriver.OVERLAY);
  }

  @Test
  void endpointsOnDifferentLabHostsReachEachOther() {
    assertThat(a.ping(b.ipv4Address("ov-net").orElseThrow(), PROBE).isReached()).as("node1 to node2").isTrue();
    assertThat(b.ping(c.ipv4Address("ov-net").orElseThrow(), PROBE).isReached()).as("node2 to node3").isTrue();
    assertThat(c.ping(a.ipv4Address("ov-net").orElseThrow(), PROBE).isReached()).as("node3 to node1").isTrue();
    assertThat(a.resolve("api")).containsExactly(b.ipv4Address("ov-net").orElseThrow());
  }

  @Test
  void twoOverlaysDoNotMeetOnTheSameLabHost() {
    assertThat(InetAddresses.format(d.ipv4Address("ov-other").orElseThrow())).startsWith("10.111.0.");
    assertThat(b.ping(d.ipv4Address("ov-other").orElseThrow(), PROBE).isReached()).isFalse();
  }

  @Test
  void anOverlayEndpointMustSayWhichLabHostItLivesOn() {
    try (NetworkNamespace e = NetworkNamespace.create("e")) {
      assertThatThrownBy(() -> ov.connect(e)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("say which one e lives on: connectOn(\"node1\", endpoint)");
      assertThat(e.networks()).isEmpty();
    }
  }

  @Network(name = "ov-ann", driver = NetworkDriver.OVERLAY, subnet = "10.114.0.0/24")
  static class NoLabHostTestCase {
    @Connect(network = "ov-ann")
    static NetworkNamespace api;

    @Test
    void m() {}
  }

  @Test
  void anOverlayEndpointWithoutALabHostFailsBeforeAnythingIsBuilt() {
    Throwable failure = Failures.firstOf(NoLabHostTestCase.class);
    assertThat(failure).isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("without saying where it lives").hasMessageContaining("labHost =");
    assertThat(LabNetwork.named("ov-ann")).isEmpty();
  }

  @Test
  void theUnderlayIsNoOneElsesSubnet() {
    assertThatThrownBy(() -> LabNetwork.create("ov-clash", "198.19.255.0/24")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overlaps 198.19.255.0/24, the underlay that joins the lab hosts");
  }

  @Test
  void onlyOverlayNetworksSpanLabHosts() {
    LabNetwork plain = LabNetwork.create("ov-plain", "10.112.0.0/24");
    try (NetworkNamespace e = NetworkNamespace.create("e")) {
      assertThatThrownBy(() -> plain.connectOn("ov-node2", e)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("only overlay networks span lab hosts");
    }
  }

  @Network(name = "ov-plain-ann", subnet = "10.113.0.0/24")
  static class LabHostOnABridgeNetworkTestCase {
    @Connect(network = "ov-plain-ann", labHost = "node2")
    static NetworkNamespace api;

    @Test
    void m() {}
  }

  @Test
  void labHostOnANetworkThatIsNotAnOverlayFailsBeforeAnythingIsBuilt() {
    Throwable failure = Failures.firstOf(LabHostOnABridgeNetworkTestCase.class);
    assertThat(failure).isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("labHost = \"node2\"")
        .hasMessageContaining("declare the network with driver = NetworkDriver.OVERLAY");
    assertThat(LabNetwork.named("ov-plain-ann")).isEmpty();
  }
}
