package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.ProbeResult;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Dual-stack networks ({@code docker network create --ipv6 --subnet ...}), judged from outside
 * nsunit: {@code ip -j} in each endpoint, ICMPv6 between them, glibc's {@code getent ahosts}.
 */
class Ipv6NetworkTests {
  static final Duration PROBE = Duration.ofSeconds(3);
  static LabNetwork dual;
  static LabNetwork other;
  static LabNetwork vault;
  static NetworkNamespace a;
  static NetworkNamespace b;
  static NetworkNamespace c;
  static NetworkNamespace d;

  @BeforeAll
  static void topology() {
    dual = LabNetwork.builder("v6-dual").subnet("10.94.0.0/24").ipv6Subnet("fd00:94::/64").create();
    other = LabNetwork.builder("v6-other").subnet("10.95.0.0/24").ipv6Subnet("fd00:95::/64").create();
    vault = LabNetwork.builder("v6-vault").subnet("10.96.0.0/24").ipv6Subnet("fd00:96::/64").internal().create();
    a = NetworkNamespace.create("a");
    b = NetworkNamespace.create("b");
    c = NetworkNamespace.create("c");
    d = NetworkNamespace.create("d");
    dual.connect(a);
    dual.connect(b, "peer");
    other.connect(c);
    vault.connect(d);
  }

  @AfterAll
  static void end() {
    for (NetworkNamespace ns : new NetworkNamespace[] {a, b, c, d}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  static List<String> ip(NetworkNamespace ns, String... args) {
    List<String> out = new ArrayList<>();
    JsonNode json = Commands.ipJson(ns.path().toString(), args);
    json.forEach(n -> out.add(n.toString()));
    return out;
  }

  @Test
  void endpointsGetBothFamiliesAndADefaultRouteViaTheIpv6Gateway() {
    assertThat(dual.ipv6Subnet()).map(Object::toString).hasValue("fd00:94::/64");
    assertThat(dual.ipv6Gateway()).map(InetAddresses::format).hasValue("fd00:94::1");
    assertThat(a.ipv4Address("v6-dual")).map(InetAddresses::format).hasValue("10.94.0.2");
    assertThat(a.ipv6Address("v6-dual")).map(InetAddresses::format).hasValue("fd00:94::2");
    assertThat(b.ipv6Address("v6-dual")).map(InetAddresses::format).hasValue("fd00:94::3");
    assertThat(String.join("\n", ip(a, "-6", "addr", "show", "dev", "eth0")))
        .contains("\"local\":\"fd00:94::2\",\"prefixlen\":64");
    assertThat(String.join("\n", ip(a, "-6", "route", "show", "default"))).contains("\"gateway\":\"fd00:94::1\"");
    assertThat(a.networks().get(0).toString()).isEqualTo("v6-dual: eth0 10.94.0.2/24 via 10.94.0.1 fd00:94::2");
  }

  @Test
  void ipv6TrafficFlowsOnANetworkAndNotBetweenNetworks() {
    assertThat(a.ping(b.ipv6Address("v6-dual").orElseThrow(), PROBE).isReached()).isTrue();
    assertThat(a.ping(dual.ipv6Gateway().orElseThrow(), PROBE).isReached()).isTrue();
    ProbeResult across = a.ping(c.ipv6Address("v6-other").orElseThrow(), PROBE);
    assertThat(across.isReached()).isFalse();
    assertThat(across.reason().flatMap(ProbeResult.Reason::errnoName)).as("%s: refused at once, not lost", across)
        .isPresent();
  }

  @Test
  void internalDualStackNetworksGiveNoDefaultRoute() {
    assertThat(ip(d, "-6", "route", "show", "default")).isEmpty();
    assertThat(ip(d, "-4", "route", "show", "default")).isEmpty();
  }

  @Test
  void namesResolveToBothFamilies() throws Exception {
    InetAddress v4 = b.ipv4Address("v6-dual").orElseThrow();
    InetAddress v6 = b.ipv6Address("v6-dual").orElseThrow();
    assertThat(a.resolve("peer")).containsExactly(v4, v6);
    Process p = a.start(new ProcessBuilder("getent", "ahosts", "peer").redirectErrorStream(true));
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      assertThat(out).contains("fd00:94::3").contains("10.94.0.3");
    }
  }

  @Network(name = "v6-x", subnet = "10.101.0.0/24", ipv6Subnet = "fd00:101::/64")
  @Network(name = "v6-y", subnet = "10.102.0.0/24", ipv6Subnet = "fd00:101::/80")
  static class OverlappingIpv6TestCase {
    @Connect(network = "v6-x")
    static NetworkNamespace x;

    @Test
    void m() {}
  }

  @Test
  void overlappingIpv6SubnetsOfOneClassFailBeforeAnythingIsBuilt() {
    assertThat(Failures.firstOf(OverlappingIpv6TestCase.class))
        .isInstanceOf(ExtensionConfigurationException.class)
        .hasMessageContaining("networks v6-x and v6-y have overlapping IPv6 subnets (fd00:101::/64, fd00:101::/80)");
    assertThat(LabNetwork.named("v6-x")).isEmpty();
  }

  @Test
  void badIpv6SubnetsAreRefusedBeforeAnythingIsBuilt() {
    assertThatThrownBy(() -> LabNetwork.builder("v6-bad").subnet("10.97.0.0/24").ipv6Subnet("10.0.0.0/24").create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is IPv4");
    assertThatThrownBy(() -> LabNetwork.builder("v6-bad").subnet("10.97.0.0/24").ipv6Subnet("fe80::/64").create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not link-local");
    assertThatThrownBy(() -> LabNetwork.builder("v6-bad").subnet("10.97.0.0/24").ipv6Subnet("fd00:97::1/64").create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("host bits are set. Use \"fd00:97::/64\"");
    assertThatThrownBy(() -> LabNetwork.builder("v6-bad").subnet("10.100.0.0/15").ipv6Subnet("fd00:97::/112").create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fewer addresses than its IPv4 subnet");
    assertThatThrownBy(() -> LabNetwork.builder("v6-bad").subnet("10.97.0.0/24").ipv6Subnet("fd00:94::/64").create())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps network v6-dual");
    assertThat(LabNetwork.named("v6-bad")).isEmpty();
  }
}
