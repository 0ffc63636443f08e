package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.ProbeResult;
import dev.nsunit.testing.Ip;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * User-defined networks through the programmatic API ({@code docker network create / connect /
 * disconnect}), judged from outside: {@code ip -j} inside the endpoints for their interfaces,
 * addresses and routes, {@code ip -j} in the lab for the bridges, and real TCP connections for
 * who reaches whom. Each test uses subnets no other test of this JVM uses (networks live as long
 * as the lab).
 */
class LabNetworkTests {
  static final Duration PROBE = Duration.ofSeconds(3);

  /** A server on port 7000 in {@code ns}, on all its addresses. */
  static ServerSocket serve(NetworkNamespace ns) throws Exception {
    return ns.call(() -> new ServerSocket(7000));
  }

  /** A TCP connect to port 7000: for what must fail, since it leaves no connection behind then. */
  static ProbeResult connect(NetworkNamespace from, InetAddress to) {
    return from.connectTcp(to, 7000, PROBE);
  }

  /**
   * An ICMP echo: for what must succeed. A TCP probe that succeeds leaves a closing connection,
   * and one whose interface is disconnected before it is done keeps both namespaces (and their
   * veths) alive for as long as TCP retries, which the leak check rightly reports.
   */
  static ProbeResult ping(NetworkNamespace from, InetAddress to) {
    return from.ping(to, PROBE);
  }

  static JsonNode ipv4(NetworkNamespace ns, String ifname) {
    return Ip.json(ns.path().toString(), "-4", "addr", "show", "dev", ifname).get(0);
  }

  @Test
  void aNetworkIsABridgeOfItsOwnWithTheGatewayAndAFixedMac() {
    LabNetwork n = LabNetwork.create("lnt-own", "10.61.0.0/24");
    assertThat(n.subnet().toString()).isEqualTo("10.61.0.0/24");
    assertThat(InetAddresses.format(n.gateway())).isEqualTo("10.61.0.1");
    String lab = "/proc/" + ProcessHandle.current().pid() + "/fd/" + Lab.get().netns().fd();
    JsonNode bridges = Ip.json(lab, "-4", "addr", "show", "to", "10.61.0.0/24");
    assertThat(bridges).hasSize(1);
    JsonNode bridge = bridges.get(0);
    assertThat(bridge.get("addr_info").get(0).get("local").asText()).isEqualTo("10.61.0.1");
    assertThat(Ip.json(lab, "-d", "link", "show", "dev", bridge.get("ifname").asText()).get(0)
        .get("linkinfo").get("info_kind").asText()).isEqualTo("bridge");
    assertThat(Ip.json(lab, "link", "show", "dev", bridge.get("ifname").asText()).get(0).get("address").asText())
        .isEqualTo("02:42:0a:3d:00:01");
    // the same definition gives the same network; another one fails before anything is built
    assertThat(LabNetwork.create("lnt-own", "10.61.0.0/24").labBridge()).isSameAs(n.labBridge());
    assertThatThrownBy(() -> LabNetwork.create("lnt-own", "10.62.0.0/24"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("network lnt-own already exists in the lab as subnet 10.61.0.0/24, gateway 10.61.0.1, not subnet"
            + " 10.62.0.0/24, gateway 10.62.0.1; a network keeps its definition as long as the lab lives (the"
            + " JVM). Declare it the same way everywhere, or give the other one another name.");
    assertThat(LabNetwork.named("lnt-own")).get().extracting(LabNetwork::subnet).isEqualTo(n.subnet());
  }

  @Test
  void endpointsOnOneNetworkReachEachOtherAndNotThoseOnAnother() throws Exception {
    LabNetwork front = LabNetwork.create("lnt-front", "10.63.0.0/24");
    LabNetwork back = LabNetwork.create("lnt-back", "10.64.0.0/24");
    try (NetworkNamespace web = NetworkNamespace.create("web");
        NetworkNamespace api = NetworkNamespace.create("api");
        NetworkNamespace db = NetworkNamespace.create("db")) {
      NetworkAttachment webFront = front.connect(web);
      NetworkAttachment apiFront = front.connect(api);
      NetworkAttachment apiBack = back.connect(api, "service");
      NetworkAttachment dbBack = back.connect(db, "database", "redis");

      // interfaces in connection order, as ip sees them
      assertThat(webFront.interfaceName()).isEqualTo("eth0");
      assertThat(apiFront.interfaceName()).isEqualTo("eth0");
      assertThat(apiBack.interfaceName()).isEqualTo("eth1");
      assertThat(ipv4(api, "eth0").get("addr_info").get(0).get("local").asText())
          .isEqualTo(InetAddresses.format(apiFront.address())).startsWith("10.63.0.");
      assertThat(ipv4(api, "eth1").get("addr_info").get(0).get("local").asText())
          .isEqualTo(InetAddresses.format(apiBack.address())).startsWith("10.64.0.");
      assertThat(ipv4(api, "eth1").get("addr_info").get(0).get("prefixlen").asInt()).isEqualTo(24);
      // the first network gives the default route
      JsonNode routes = Ip.json(api.path().toString(), "-4", "route", "show", "default");
      assertThat(routes).hasSize(1);
      assertThat(routes.get(0).get("gateway").asText()).isEqualTo("10.63.0.1");
      assertThat(routes.get(0).get("dev").asText()).isEqualTo("eth0");
      assertThat(api.networks()).containsExactly(apiFront, apiBack);
      assertThat(db.networks()).singleElement().satisfies(a -> assertThat(a.aliases()).containsExactly("database", "redis"));
      assertThat(api.ipv4Address("lnt-back")).contains(apiBack.address());
      assertThat(web.ipv4Address("lnt-back")).isEmpty();

      try (ServerSocket inApi = serve(api); ServerSocket inDb = serve(db)) {
        assertThat(ping(web, apiFront.address()).isReached()).isTrue();
        assertThat(ping(api, dbBack.address()).isReached()).isTrue();
        // nothing is routed between networks: web is not on back
        ProbeResult webToDb = connect(web, dbBack.address());
        assertThat(webToDb.isReached()).as("web -> db: %s", webToDb).isFalse();
        assertThat(webToDb.reason()).hasValue(ProbeResult.Reason.HOST_UNREACHABLE);
        ProbeResult webToApiBack = connect(web, apiBack.address());
        assertThat(webToApiBack.isReached()).as("web -> api's backend address: %s", webToApiBack).isFalse();
      }
    }
  }

  @Test
  void disconnectTakesTheInterfaceAwayAndReconnectGivesItBack() throws Exception {
    LabNetwork a = LabNetwork.create("lnt-a", "10.65.0.0/24");
    LabNetwork b = LabNetwork.create("lnt-b", "10.66.0.0/24");
    try (NetworkNamespace client = NetworkNamespace.create("client");
        NetworkNamespace server = NetworkNamespace.create("server")) {
      a.connect(client);
      b.connect(client);
      NetworkAttachment served = a.connect(server, InetAddresses.parse("10.65.0.77"));
      assertThat(served.address()).isEqualTo(InetAddresses.parse("10.65.0.77"));
      try (ServerSocket s = serve(server)) {
        assertThat(ping(client, served.address()).isReached()).isTrue();

        a.disconnect(client);
        assertThat(Ip.json(client.path().toString(), "link", "show")).extracting(l -> l.get("ifname").asText())
            .containsExactlyInAnyOrder("lo", "eth1");
        // eth0 carried the default route: eth1's network gives it now
        JsonNode routes = Ip.json(client.path().toString(), "-4", "route", "show", "default");
        assertThat(routes).hasSize(1);
        assertThat(routes.get(0).get("gateway").asText()).isEqualTo("10.66.0.1");
        assertThat(connect(client, served.address()).isReached()).isFalse();
        assertThat(client.networks()).extracting(NetworkAttachment::network).containsExactly("lnt-b");

        NetworkAttachment again = a.connect(client);
        assertThat(again.interfaceName()).isEqualTo("eth0");
        assertThat(ping(client, served.address()).isReached()).isTrue();
      }
      assertThatThrownBy(() -> a.connect(client))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is already connected to network lnt-a");
      assertThatThrownBy(() -> LabNetwork.create("lnt-c", "10.67.0.0/24").disconnect(client))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("is not connected to network lnt-c; it is connected to [lnt-b, lnt-a].");
    }
  }

  @Test
  void anInternalNetworkGivesNoDefaultRoute() {
    LabNetwork internal = LabNetwork.builder("lnt-internal").subnet("10.68.0.0/24").internal().create();
    try (NetworkNamespace ns = NetworkNamespace.create("internal")) {
      internal.connect(ns);
      assertThat(Ip.json(ns.path().toString(), "-4", "route", "show", "default")).isEmpty();
      assertThat(Ip.json(ns.path().toString(), "-4", "route", "show")).extracting(r -> r.get("dst").asText())
          .containsExactly("10.68.0.0/24");
    }
  }

  @Test
  void closingTheNamespaceEndsItsInterfacesAndFreesTheirAddresses() {
    LabNetwork n = LabNetwork.create("lnt-small", "10.69.0.0/30"); // one host besides the gateway
    List<InetAddress> seen = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      try (NetworkNamespace ns = NetworkNamespace.create("small-" + i)) {
        seen.add(n.connect(ns).address());
      }
    }
    assertThat(seen).containsOnly(InetAddresses.parse("10.69.0.2"));
  }

  @Test
  void misuseFailsBeforeAnythingIsBuilt() {
    LabNetwork n = LabNetwork.create("lnt-misuse", "10.70.0.0/24");
    assertThatThrownBy(() -> LabNetwork.create("lnt-bad", "127.0.0.0/8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("subnet \"127.0.0.0/8\" of network lnt-bad overlaps 127.0.0.0/8");
    assertThatThrownBy(() -> LabNetwork.create("lnt-overlap", "10.70.0.128/25"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("overlaps network lnt-misuse (10.70.0.0/24)");
    assertThatThrownBy(() -> LabNetwork.create("-bad", "10.71.0.0/24"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a valid network name");
    assertThatThrownBy(() -> LabNetwork.create("bridge", "10.71.0.0/24"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is Docker's default network");
    try (NetworkNamespace host = NetworkNamespace.host()) {
      assertThatThrownBy(() -> n.connect(host))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("it is the JVM's own namespace, and nsunit never changes the real host's network");
    }
    try (NetworkNamespace a = NetworkNamespace.create("a"); NetworkNamespace b = NetworkNamespace.create("b")) {
      n.connect(a, "cache");
      assertThatThrownBy(() -> n.connect(b, "cache"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("alias \"cache\" is taken on network lnt-misuse by ");
      assertThatThrownBy(() -> n.connect(b, "not valid"))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is not a host name");
      assertThatThrownBy(() -> n.connect(b, InetAddresses.parse("10.70.0.1")))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not a free host address of network lnt-misuse (10.70.0.0/24, gateway 10.70.0.1)");
      assertThat(Ip.json(b.path().toString(), "link", "show")).extracting(l -> l.get("ifname").asText())
          .containsExactly("lo");
    }
  }
}
