package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.Address;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Shell;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Issue 11, item 3: anything off the lab fails fast instead of hanging. The lab has no way out;
 * it answers what it cannot deliver with an ICMP error, so a connect or a name lookup from an
 * endpoint fails at once with EHOSTUNREACH rather than timing out. Nothing leaves the namespaces
 * the tests make: 198.18.0.0/15 is the benchmarking range (192.0.2.0/24, the documentation range,
 * is the outside world's, which OutsideWorldTests may have made), and the name lookup's query goes to the
 * machine's nameserver address only as far as the lab host, which refuses it.
 */
class OffLabTests {
  /** A generous bound for a hang: the failures it catches take 10 s or more. */
  static final long HANG_GUARD_MILLIS = 5_000;
  static final InetSocketAddress OFF_LAB = new InetSocketAddress(InetAddresses.parse("198.18.0.1"), 80);
  static final List<String> MEASURED = new ArrayList<>();

  record Outcome(Throwable failure, long millis) {}

  static Outcome time(String what, Callable<?> action) {
    long start = System.nanoTime();
    Throwable failure = catchThrowable(action::call);
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    String line = what + ": " + failure + " after " + ms + " ms";
    System.out.println(line);
    MEASURED.add(line);
    return new Outcome(failure, ms);
  }

  @BridgeNetwork
  static class OffLabTestCase {
    @Test
    void aTcpConnectOffTheLabFailsWithNoRouteToHost(NetworkNamespace ns) {
      Outcome o = time("TCP connect to 198.18.0.1:80", () -> {
        try (Socket s = new Socket()) {
          s.connect(OFF_LAB, (int) HANG_GUARD_MILLIS);
        }
        return null;
      });
      assertThat(o.failure()).isInstanceOf(NoRouteToHostException.class).hasMessageContaining("No route to host");
      assertThat(o.millis()).as("hang guard").isLessThan(HANG_GUARD_MILLIS);
    }

    @Test
    void aUdpExchangeOffTheLabFailsInsteadOfWaiting(NetworkNamespace ns) {
      Outcome o = time("UDP exchange with 198.18.0.1:53", () -> {
        try (DatagramSocket s = new DatagramSocket()) {
          s.connect(new InetSocketAddress(OFF_LAB.getAddress(), 53));
          s.setSoTimeout((int) HANG_GUARD_MILLIS);
          s.send(new DatagramPacket(new byte[] {1}, 1));
          s.receive(new DatagramPacket(new byte[16], 16));
        }
        return null;
      });
      assertThat(o.failure()).isInstanceOf(NoRouteToHostException.class);
      assertThat(o.millis()).as("hang guard").isLessThan(HANG_GUARD_MILLIS);
    }

    @Test
    void aNameLookupThatIsNotInEtcHostsFailsInsteadOfHanging(NetworkNamespace ns) {
      // a fresh name each run: the JDK caches failed lookups for 10 s, in every namespace
      String name = "nsunit-" + UUID.randomUUID() + ".invalid";
      Outcome o = time("JDK lookup of " + name, () -> InetAddress.getByName(name));
      assertThat(o.failure()).isInstanceOf(UnknownHostException.class);
      assertThat(o.millis()).as("hang guard").isLessThan(HANG_GUARD_MILLIS);
    }
  }

  /**
   * The connect timeout that tells "refused" from "dropped" by outcome alone: shorter than the
   * 1 s after which TCP resends an unanswered SYN, so EHOSTUNREACH within it answered the first SYN.
   */
  static final int BEFORE_SYN_RETRY_MILLIS = 900;

  /** Twenty connects in a row from one endpoint, each answered: no burst limit on the refusals. */
  @BridgeNetwork
  static class TwentyInARowTestCase {
    @Test
    void everyConnectOffTheLabIsRefused(NetworkNamespace ns) throws Exception {
      List<String> outcomes = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(InetAddresses.parse("198.18.0." + (10 + i)), 80), BEFORE_SYN_RETRY_MILLIS);
          outcomes.add("connected");
        } catch (NoRouteToHostException e) {
          outcomes.add("EHOSTUNREACH");
        } catch (SocketTimeoutException e) {
          outcomes.add("timed out");
        }
      }
      assertThat(outcomes).as("20 connects off the lab from one endpoint").containsOnly("EHOSTUNREACH");
    }
  }

  @Test
  void offTheLabEveryConnectIsRefusedNotOnlyTheFirstFive() {
    assumeTrue(KernelFeatures.supported(KernelFeatures.NftFeature.REJECT),
        "without nf_tables' reject the lab refuses through routing, which answers 5 in a burst, then 1 a second");
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(TwentyInARowTestCase.class)).execute()
        .testEvents();
    assertThat(Failures.of(events)).isEmpty();
    events.assertStatistics(s -> s.started(1).succeeded(1));
  }

  @Test
  void offTheLabEverythingFailsAtOnce() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OffLabTestCase.class)).execute()
        .testEvents();
    assertThat(Failures.of(events)).isEmpty();
    events.assertStatistics(s -> s.started(3).succeeded(3));
  }

  /**
   * The lab routes nothing, between its own bridges neither (Docker isolates networks too): an
   * endpoint cannot reach an endpoint of another network, and learns so at once; the lab host
   * itself answers on every one of its addresses.
   */
  @BridgeNetwork
  static class TwoNetworksTestCase {
    @BridgeNetwork(subnet = "10.78.0.0/24") NetworkNamespace other;

    @Test
    void reachesTheLabHostButNotAnotherNetwork(NetworkNamespace ns, @LabHost NetworkNamespace lab) throws Exception {
      InetAddress otherAddress = other.addresses().stream().filter(a -> a.interfaceName().equals("eth0") && a.isIpv4())
          .map(Address::address).findFirst().orElseThrow();
      try (ServerSocket inOther = other.call(() -> new ServerSocket(9000));
          ServerSocket onLab = lab.call(() -> new ServerSocket(9001, 50, InetAddresses.parse("10.78.0.1")))) {
        Outcome o = time("TCP connect to another network's endpoint", () -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(otherAddress, 9000), (int) HANG_GUARD_MILLIS);
          }
          return null;
        });
        assertThat(o.failure()).isInstanceOf(NoRouteToHostException.class);
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(onLab.getInetAddress(), 9001), (int) HANG_GUARD_MILLIS);
        }
      }
    }
  }

  @Test
  void networksAreIsolatedFromEachOtherButNotFromTheLabHost() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(TwoNetworksTestCase.class)).execute()
        .testEvents();
    assertThat(Failures.of(events)).isEmpty();
    events.assertStatistics(s -> s.started(1).succeeded(1));
  }

  /** iproute2's view of the lab: the rule, the unreachable defaults, forwarding on the bridges. */
  @Test
  void theLabRefusesWhatItCannotDeliver() {
    Lab lab = Lab.get();
    Lab.Bridge bridge = lab.bridge(IpPrefix.parse("172.17.0.0/16"), InetAddresses.parse("172.17.0.1"));
    String path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + lab.netns().fd();
    JsonNode rule = null;
    for (JsonNode r : Ip.json(path, "rule", "show")) {
      if (r.get("priority").asInt() == Lab.NO_ROUTING_RULE_PRIORITY) {
        rule = r;
      }
    }
    assertThat(rule).as("rule %d", Lab.NO_ROUTING_RULE_PRIORITY).isNotNull();
    assertThat(rule.has("not")).as("inverted: %s", rule).isTrue();
    assertThat(rule.path("iif").asText()).as("%s", rule).isEqualTo("lo");
    if (KernelFeatures.supported(KernelFeatures.NftFeature.REJECT)) {
      // routed to lo so that it is forwarded, and the forward hook rejects everything forwarded
      assertThat(rule.path("table").asText()).as("%s", rule).isEqualTo(String.valueOf(Lab.REFUSE_TABLE));
      JsonNode refuse = Ip.json(path, "-4", "route", "show", "table", String.valueOf(Lab.REFUSE_TABLE));
      assertThat(refuse).hasSize(1);
      assertThat(refuse.get(0).get("dst").asText()).isEqualTo("default");
      assertThat(refuse.get(0).get("dev").asText()).isEqualTo("lo");
      String ruleset = Shell.in(path, "nft", "-j", "list", "table", "inet", "nsunit");
      JsonNode chain = null;
      JsonNode reject = null;
      for (JsonNode item : Ip.parse(ruleset).get("nftables")) {
        if (item.has("chain") && item.get("chain").get("name").asText().equals("forward")) {
          chain = item.get("chain");
        }
        if (item.has("rule") && item.get("rule").get("chain").asText().equals("forward") && reject == null) {
          reject = item.get("rule");
        }
      }
      assertThat(chain).as("nft: %s", ruleset).isNotNull();
      assertThat(chain.get("hook").asText()).isEqualTo("forward");
      assertThat(reject).as("nft: %s", ruleset).isNotNull();
      assertThat(reject.get("expr").toString()).contains("\"oifname\"").contains("\"lo\"").contains("\"reject\"")
          .contains("admin-prohibited");
    } else {
      assertThat(rule.path("action").asText()).as("%s", rule).isEqualTo("prohibit");
    }
    assertThat(defaultRoute(Ip.json(path, "-4", "route", "show"))).isEqualTo("unreachable");
    assertThat(defaultRoute(Ip.json(path, "-6", "route", "show"))).isEqualTo("unreachable");
    JsonNode v4 = null;
    for (JsonNode c : Ip.json(path, "netconf", "show", "dev", bridge.name())) {
      if (c.get("family").asText().equals("inet")) {
        v4 = c;
      }
    }
    assertThat(v4).as("IPv4 settings of %s", bridge.name()).isNotNull();
    assertThat(v4.get("forwarding").asBoolean()).isTrue();
  }

  static String defaultRoute(JsonNode routes) {
    for (JsonNode r : routes) {
      if (r.get("dst").asText().equals("default")) {
        return r.path("type").asText("unicast");
      }
    }
    return "none";
  }
}
