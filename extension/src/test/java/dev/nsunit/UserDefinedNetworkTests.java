package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.model.ProbeResult;
import dev.nsunit.testing.Ip;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * {@link Network} and {@link Connect}: Docker's user-defined networks as annotations, judged from
 * outside nsunit ({@code ip -j} in each endpoint, ICMP echo between them: a probe that leaves no
 * half-closed connection behind to keep an ended endpoint's namespace alive), and every misuse
 * refused before anything is built. The fixtures' subnets are used by no other test of this JVM.
 */
class UserDefinedNetworkTests {
  static final Duration PROBE = Duration.ofSeconds(3);
  static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

  static List<String> ifnames(NetworkNamespace ns) {
    return Ip.json(ns.path().toString(), "link", "show").findValuesAsText("ifname");
  }

  static String ipv4Of(NetworkNamespace ns, String ifname) {
    return Ip.json(ns.path().toString(), "-4", "addr", "show", "dev", ifname).get(0).get("addr_info").get(0)
        .get("local").asText();
  }

  @Network(name = "udn-front", subnet = "10.81.0.0/24")
  @Network(name = "udn-back", subnet = "10.82.0.0/24", internal = true)
  static class ShopTestCase {
    @Connect(network = "udn-back", aliases = "db", address = "10.82.0.9")
    static NetworkNamespace db;

    @Connect(network = "udn-front")
    @Connect(network = "udn-back", aliases = "api")
    static NetworkNamespace api;

    @Test
    @Connect(network = "udn-front")
    void web(NetworkNamespace web, @LabHost NetworkNamespace lab) throws Exception {
      // iproute2 runs from the lab host's thread: the JDK's process reaper thread is born in the
      // namespace of the thread that first starts a process, and would keep web's alive
      lab.call(() -> {
        SEEN.put("web ifnames", ifnames(web));
        SEEN.put("web eth0", ipv4Of(web, "eth0"));
        SEEN.put("web default", Ip.json(web.path().toString(), "-4", "route", "show", "default").findValuesAsText("gateway"));
        SEEN.put("api ifnames", ifnames(api));
        SEEN.put("api eth0", ipv4Of(api, "eth0"));
        SEEN.put("api eth1", ipv4Of(api, "eth1"));
        SEEN.put("api default", Ip.json(api.path().toString(), "-4", "route", "show", "default").findValuesAsText("gateway"));
        SEEN.put("db eth0", ipv4Of(db, "eth0"));
        SEEN.put("db default", Ip.json(db.path().toString(), "-4", "route", "show", "default").findValuesAsText("gateway"));
        return null;
      });
      SEEN.put("api networks", api.networks().stream().map(NetworkAttachment::toString).collect(Collectors.toList()));
      InetAddress apiFront = api.ipv4Address("udn-front").orElseThrow();
      InetAddress dbBack = db.ipv4Address("udn-back").orElseThrow();
      SEEN.put("web -> api", web.ping(apiFront, PROBE));
      SEEN.put("web -> db", web.ping(dbBack, PROBE));
      SEEN.put("api -> db", api.ping(dbBack, PROBE));
    }

    @Nested
    class Inner {
      @Test
      @Connect(network = "udn-back")
      void nestedClassesSeeTheEnclosingNetworks(NetworkNamespace ns) {
        SEEN.put("nested -> db", ns.ping(db.ipv4Address("udn-back").orElseThrow(), PROBE));
      }
    }
  }

  @Test
  void endpointsGetOneInterfacePerNetworkAndReachOnlyTheirNetworks() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(ShopTestCase.class)).execute()
        .testEvents();
    assertThat(Failures.of(events)).isEmpty();
    events.assertStatistics(s -> s.succeeded(2));

    assertThat(SEEN.get("web ifnames")).isEqualTo(List.of("lo", "eth0"));
    assertThat((String) SEEN.get("web eth0")).startsWith("10.81.0.");
    assertThat(SEEN.get("web default")).isEqualTo(List.of("10.81.0.1"));
    // declaration order: eth0 on front, eth1 on back; the default route from the first network
    assertThat(SEEN.get("api ifnames")).isEqualTo(List.of("lo", "eth0", "eth1"));
    assertThat((String) SEEN.get("api eth0")).startsWith("10.81.0.");
    assertThat((String) SEEN.get("api eth1")).startsWith("10.82.0.");
    assertThat(SEEN.get("api default")).isEqualTo(List.of("10.81.0.1"));
    assertThat(SEEN.get("db eth0")).isEqualTo("10.82.0.9");
    assertThat(SEEN.get("db default")).as("udn-back is internal").isEqualTo(List.of());
    assertThat(SEEN.get("api networks")).isEqualTo(List.of(
        "udn-front: eth0 " + SEEN.get("api eth0") + "/24 via 10.81.0.1",
        "udn-back: eth1 " + SEEN.get("api eth1") + "/24 via 10.82.0.1 aliases [api]"));

    assertThat(((ProbeResult) SEEN.get("web -> api")).isReached()).isTrue();
    assertThat(((ProbeResult) SEEN.get("api -> db")).isReached()).isTrue();
    ProbeResult webToDb = (ProbeResult) SEEN.get("web -> db");
    assertThat(webToDb.isReached()).as("web -> db: %s", webToDb).isFalse();
    assertThat(((ProbeResult) SEEN.get("nested -> db")).isReached()).isTrue();
  }

  // ------------------------------------------------------------------ misuse

  @Network(name = "udn-m1", subnet = "10.83.0.0/24")
  static class UnknownNetworkTestCase {
    @Test
    @Connect(network = "udn-nope")
    void m() {}
  }

  @Network(name = "udn-m2", subnet = "10.84.0.0/24")
  @Network(name = "udn-m3", subnet = "10.84.0.128/25")
  static class OverlappingNetworksTestCase {
    @Test
    @Connect(network = "udn-m2")
    void m() {}
  }

  @Network(name = "udn-m4", subnet = "10.85.0.0/24")
  static class AliasTwiceTestCase {
    @Connect(network = "udn-m4", aliases = "db") static NetworkNamespace a;
    @Connect(network = "udn-m4", aliases = "db") static NetworkNamespace b;

    @Test
    void m() {}
  }

  @Network(name = "udn-m5", subnet = "10.86.0.0/24")
  static class AddressOutsideTestCase {
    @Test
    @Connect(network = "udn-m5", address = "10.99.0.5")
    void m() {}
  }

  @Network(name = "udn-m6", subnet = "127.0.0.0/8")
  static class SpecialSubnetTestCase {
    @Test
    @Connect(network = "udn-m6")
    void m() {}
  }

  @Network(name = "udn-m7", subnet = "10.87.0.0/24")
  static class TwoModesTestCase {
    @Test
    @Connect(network = "udn-m7")
    @BridgeNetwork
    void m() {}
  }

  @Network(name = "udn-m8", subnet = "10.88.0.0/24")
  static class SameNetworkTwiceTestCase {
    @Test
    @Connect(network = "udn-m8")
    @Connect(network = "udn-m8")
    void m() {}
  }

  @Network(name = "udn-m9", subnet = "10.89.0.0/24")
  @Network(name = "udn-m9", subnet = "10.90.0.0/24")
  static class OneNameTwoSubnetsTestCase {
    @Test
    @Connect(network = "udn-m9")
    void m() {}
  }

  @Network(name = "udn-m10")
  static class FixedAddressWithoutSubnetTestCase {
    @Test
    @Connect(network = "udn-m10", address = "172.18.0.5")
    void m() {}
  }

  static List<Arguments> misuses() {
    return List.of(
        Arguments.of(UnknownNetworkTestCase.class, "@Connect(network = \"udn-nope\") on [method UnknownNetworkTestCase.m()]"
            + " names no network; declared networks: [udn-m1] (and \"bridge\", Docker's default). Declare it with"
            + " @Network(name = \"udn-nope\") on the test class, or fix the name."),
        Arguments.of(OverlappingNetworksTestCase.class, "networks udn-m2 (10.84.0.0/24) and udn-m3 (10.84.0.128/25)"
            + " overlap; two networks cannot share addresses (Docker refuses overlapping networks too). Give them"
            + " subnets that do not overlap."),
        Arguments.of(AliasTwiceTestCase.class, "@Connect(network = \"udn-m4\") on [field AliasTwiceTestCase.b] gives"
            + " the alias \"db\", which [field AliasTwiceTestCase.a] has on network udn-m4 already; an alias names one"
            + " endpoint per network. Pick another alias."),
        Arguments.of(AddressOutsideTestCase.class, "@Connect(network = \"udn-m5\", address = \"10.99.0.5\") on"
            + " [method AddressOutsideTestCase.m()] is not a host address of udn-m5's subnet 10.86.0.0/24 other than"
            + " its gateway 10.86.0.1; pick one, e.g. 10.86.0.2."),
        Arguments.of(SpecialSubnetTestCase.class, "@Network(name = \"udn-m6\", subnet = \"127.0.0.0/8\") on"
            + " [class SpecialSubnetTestCase]: subnet \"127.0.0.0/8\" of network udn-m6 overlaps 127.0.0.0/8, the"
            + " loopback range (RFC 1122), which a network cannot use: addresses there mean something special to every"
            + " host and router. Use a private range instead, e.g. \"10.0.0.0/8\"."),
        Arguments.of(TwoModesTestCase.class, "[method TwoModesTestCase.m()] carries @BridgeNetwork and @Connect, but a"
            + " test or endpoint has exactly one network mode, as a container has one --network. Keep one of them; to"
            + " be on Docker's default network as well as others, use @Connect(network = \"bridge\")."),
        Arguments.of(SameNetworkTwiceTestCase.class, "[method SameNetworkTwiceTestCase.m()] carries"
            + " @Connect(network = \"udn-m8\") twice; an endpoint has one interface per network, as in Docker. Keep"
            + " one, and put all its aliases there."),
        Arguments.of(OneNameTwoSubnetsTestCase.class, "@Network(name = \"udn-m9\", subnet = \"10.90.0.0/24\") on"
            + " [class OneNameTwoSubnetsTestCase] declares network udn-m9 differently from"
            + " [class OneNameTwoSubnetsTestCase]; one name is one network. Declare it once, or give the other one"
            + " another name."),
        Arguments.of(FixedAddressWithoutSubnetTestCase.class, "@Connect(network = \"udn-m10\", address ="
            + " \"172.18.0.5\") on [method FixedAddressWithoutSubnetTestCase.m()] fixes an address on a network whose"
            + " subnet is chosen at run time; give @Network(name = \"udn-m10\") a subnet too."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misuses")
  void misuseFailsWithAClearMessageBeforeAnythingIsBuilt(Class<?> fixture, String message) {
    List<String> lab = ConfigurationErrorTests.labLinks();
    int fds = ConfigurationErrorTests.openFds();
    List<Throwable> failures = ConfigurationErrorTests.failures(fixture);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).isExactlyInstanceOf(ExtensionConfigurationException.class).hasMessage(message);
    ConfigurationErrorTests.assertNoNewLabLinks(lab);
    assertThat(ConfigurationErrorTests.openFds()).isEqualTo(fds);
  }
}
