package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.ProbeResult;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * macvlan networks ({@code docker network create -d macvlan -o parent=...}), judged from outside
 * nsunit: {@code ip -j -d link} in the endpoints and the lab host, ICMP between the endpoints, to
 * the LAN's router and to the parent. And ipvlan, which this machine's kernel lacks: refused with
 * its Kconfig option (the request's bytes are proven in {@code IpvlanRequestTests}).
 */
class LanNetworkTests {
  static final Duration PROBE = Duration.ofSeconds(3);
  static LabNetwork lan;
  static NetworkNamespace a;
  static NetworkNamespace b;

  @BeforeAll
  static void topology() {
    lan = LabNetwork.builder("mv-lan").driver(NetworkDriver.MACVLAN).subnet("192.168.50.0/24").create();
    a = NetworkNamespace.create("a");
    b = NetworkNamespace.create("b");
    lan.connect(a);
    lan.connect(b, "peer");
  }

  @AfterAll
  static void end() {
    for (NetworkNamespace ns : new NetworkNamespace[] {a, b}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  static JsonNode link(NetworkNamespace ns, String name) {
    return Commands.ipJson(ns.path().toString(), "-d", "link", "show", "dev", name).get(0);
  }

  @Test
  void endpointsAreMacvlanChildrenInBridgeModeOfAParentInTheLab() {
    assertThat(lan.driver()).isEqualTo(NetworkDriver.MACVLAN);
    assertThat(lan.toString()).endsWith("driver macvlan");
    JsonNode eth0 = link(a, "eth0");
    assertThat(eth0.get("linkinfo").get("info_kind").asText()).isEqualTo("macvlan");
    assertThat(eth0.get("linkinfo").get("info_data").get("mode").asText()).isEqualTo("bridge");
    assertThat(a.ipv4Address("mv-lan")).map(InetAddresses::format).hasValue("192.168.50.2");
    assertThat(Commands.ipJson(a.path().toString(), "-4", "route", "show", "default").get(0).get("gateway").asText())
        .isEqualTo("192.168.50.1");
    String labPath = "/proc/" + ProcessHandle.current().pid() + "/fd/" + Lab.get().netns().fd();
    JsonNode parent = Commands.ipJson(labPath, "-d", "link", "show", "dev", lan.labBridge().name()).get(0);
    assertThat(parent.get("linkinfo").get("info_kind").asText()).as("the parent, a veth to the LAN").isEqualTo("veth");
  }

  @Test
  void childrenReachEachOtherAndTheRouterButNotTheParent() {
    assertThat(a.ping(b.ipv4Address("mv-lan").orElseThrow(), PROBE).isReached()).isTrue();
    assertThat(a.ping(lan.gateway(), PROBE).isReached()).as("the LAN's router").isTrue();
    InetAddress parent = lan.labBridge().parentAddress().orElseThrow();
    assertThat(InetAddresses.format(parent)).isEqualTo("192.168.50.254");
    assertThat(a.ping(parent, PROBE).isReached()).as("the kernel passes nothing between parent and child").isFalse();
    ProbeResult offLan = a.ping(InetAddresses.parse("198.18.0.1"), PROBE);
    assertThat(offLan.reason().flatMap(ProbeResult.Reason::errnoName)).as("%s: the router refuses at once", offLan)
        .isPresent();
  }

  @Test
  void namesResolveAndDisconnectWorks() throws Exception {
    assertThat(a.resolve("peer")).containsExactly(b.ipv4Address("mv-lan").orElseThrow());
    try (NetworkNamespace c = NetworkNamespace.create("c")) {
      lan.connect(c);
      assertThat(c.links()).extracting(l -> l.name()).contains("eth0");
      lan.disconnect(c);
      assertThat(c.links()).extracting(l -> l.name()).containsExactly("lo");
      assertThat(c.ipv4Address("mv-lan")).isEmpty();
    }
  }

  @Test
  void ipvlanIsRefusedNamingTheKernelOptionWhereTheKernelLacksIt() {
    assumeThat(KernelFeatures.supported(KernelFeatures.Feature.IPVLAN)).as("this kernel lacks CONFIG_IPVLAN").isFalse();
    assertThatThrownBy(() -> LabNetwork.builder("iv-lan").driver(NetworkDriver.IPVLAN).subnet("192.168.51.0/24").create())
        .isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("CONFIG_IPVLAN");
    assertThat(LabNetwork.named("iv-lan")).isEmpty();
  }

  @Test
  void ipvlanChildrenReachEachOtherWhereTheKernelHasIt() {
    assumeThat(KernelFeatures.supported(KernelFeatures.Feature.IPVLAN)).as("this kernel has CONFIG_IPVLAN").isTrue();
    LabNetwork iv = LabNetwork.builder("iv-lan").driver(NetworkDriver.IPVLAN).subnet("192.168.51.0/24").create();
    try (NetworkNamespace x = NetworkNamespace.create("x"); NetworkNamespace y = NetworkNamespace.create("y")) {
      iv.connect(x);
      iv.connect(y);
      assertThat(link(x, "eth0").get("linkinfo").get("info_kind").asText()).isEqualTo("ipvlan");
      assertThat(x.ping(y.ipv4Address("iv-lan").orElseThrow(), PROBE).isReached()).isTrue();
    }
  }

  @Test
  void aLanDriverTakesNoIpv6SubnetYet() {
    assertThatThrownBy(() -> LabNetwork.builder("mv-v6").driver(NetworkDriver.MACVLAN).subnet("192.168.52.0/24")
        .ipv6Subnet("fd00:52::/64").create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dual-stack networks use the bridge driver");
  }
}
