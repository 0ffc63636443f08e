package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.ProbeResult;
import dev.nsunit.testing.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The outside world: endpoints reach servers on the documentation prefixes through the lab
 * host's masquerade, and the server sees the lab host's address (judged by the accepted socket's
 * peer and by {@code ss} in the outside namespace); internal networks cannot reach it; the lab
 * routes nothing else ({@code ip -j route} in the lab host).
 */
class OutsideWorldTests {
  static final Duration PROBE = Duration.ofSeconds(3);

  /** Connects from {@code endpoint} to {@code server}'s port and returns the peer address the server saw. */
  static String clientAsSeenByServer(NetworkNamespace endpoint, ServerSocket server) throws Exception {
    CompletableFuture<String> seen = CompletableFuture.supplyAsync(() -> {
      try (Socket s = server.accept()) {
        s.getOutputStream().write('!');
        return InetAddresses.format(s.getInetAddress());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, PublishTests.OWN_THREAD);
    try (Socket client = endpoint.socketFactory().createSocket()) {
      client.connect(server.getLocalSocketAddress(), 5_000);
      client.setSoTimeout(10_000);
      assertThat(client.getInputStream().read()).isEqualTo('!');
      return seen.get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void bridgeEndpointsReachItBehindTheLabHostsAddress() throws Exception {
    OutsideWorld internet = OutsideWorld.get();
    InetAddress payments = internet.host("192.0.2.10");
    assertThat(internet.host("192.0.2.10")).as("twice is harmless").isEqualTo(payments);
    LabNetwork frontend = LabNetwork.create("outside-front", "10.90.0.0/24");
    try (NetworkNamespace web = NetworkNamespace.create("web");
         NetworkNamespace shop = NetworkNamespace.create("shop");
         ServerSocket server = internet.namespace().serverSocketFactory().createServerSocket(8443, 50, payments)) {
      LabNetwork.bridge().connect(web);
      frontend.connect(shop);
      assertThat(clientAsSeenByServer(web, server)).isEqualTo("192.0.2.2").isEqualTo(internet.labAddress().getHostAddress());
      assertThat(clientAsSeenByServer(shop, server)).as("a user-defined network that is not internal").isEqualTo("192.0.2.2");
      assertThat(web.ping(InetAddress.getByName("192.0.2.10"), PROBE).isReached()).isTrue();
    }
  }

  @Test
  void hostsBeyondTheLinkAreRoutedAndMayNotHideInALabNetwork() throws Exception {
    OutsideWorld internet = OutsideWorld.get();
    InetAddress api = internet.host("203.0.113.10");
    try (NetworkNamespace web = NetworkNamespace.create("web");
         ServerSocket server = internet.namespace().serverSocketFactory().createServerSocket(443, 50, api)) {
      LabNetwork.bridge().connect(web);
      assertThat(clientAsSeenByServer(web, server)).isEqualTo("192.0.2.2");
    }
    LabNetwork.create("outside-clash", "198.51.100.128/25");
    assertThatThrownBy(() -> internet.host("198.51.100.130")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("198.51.100.130 is inside network outside-clash (198.51.100.128/25)");
    assertThatThrownBy(() -> LabNetwork.create("outside-hides-a-host", "203.0.113.0/28"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contains 203.0.113.10, a host of the outside world");
  }

  @Test
  void internalNetworksCannotReachIt() throws Exception {
    OutsideWorld internet = OutsideWorld.get();
    InetAddress mirror = internet.host("192.0.2.20");
    LabNetwork vault = LabNetwork.builder("outside-vault").subnet("10.91.0.0/24").internal().create();
    try (NetworkNamespace db = NetworkNamespace.create("db")) {
      vault.connect(db);
      ProbeResult noRoute = db.ping(mirror, PROBE);
      assertThat(noRoute.isReached()).as("no default route on an internal network").isFalse();
      // even with a route of its own, the lab refuses to forward from an internal network
      db.netns().rtnetlink().addRoute(RouteRequest.defaultVia(vault.gateway()));
      ProbeResult refused = db.ping(mirror, PROBE);
      assertThat(refused.isReached()).isFalse();
      assertThat(refused.reason().flatMap(ProbeResult.Reason::errnoName)).as("%s: refused at once, not lost", refused)
          .contains("EHOSTUNREACH");
    }
  }

  @Test
  void theLabRoutesOnlyTheDocumentationPrefixes() {
    OutsideWorld.get();
    String lab = "/proc/" + ProcessHandle.current().pid() + "/fd/" + Lab.get().netns().fd();
    List<String> outside = new ArrayList<>();
    Commands.ipJson(lab, "-4", "route", "show", "table", "101").forEach(r -> outside.add(r.get("dst").asText()));
    assertThat(outside).as("the link, and /32s of hosts the tests gave the outside world").contains("192.0.2.0/24")
        .allMatch(dst -> dst.equals("192.0.2.0/24") || dst.matches("(198\\.51\\.100|203\\.0\\.113)\\.\\d+"));
    List<String> main = new ArrayList<>();
    Commands.ipJson(lab, "-4", "route", "show", "table", "main").forEach(r -> main.add(r.path("type").asText("unicast")
        + " " + r.get("dst").asText()));
    assertThat(main).as("the lab's only default route refuses").contains("unreachable default")
        .doesNotContain("unicast default");
    String nat = Commands.in(lab, "nft", "list", "chain", "inet", "nsunit", "postrouting");
    assertThat(nat).contains("oifname \"nsunit-uplink\" masquerade");
  }

  @Test
  void outsideHostsAreOnDocumentationPrefixesOnly() {
    OutsideWorld internet = OutsideWorld.get();
    assertThatThrownBy(() -> internet.host("8.8.8.8")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("documentation prefixes [192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24]")
        .hasMessageContaining("8.8.8.8 is not one");
    assertThatThrownBy(() -> internet.host("192.0.2.1")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> internet.host("not an address")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not an IP address");
    assertThat(Shell.run("ip", "-j", "route", "show")).doesNotContain("203.0.113").doesNotContain("198.51.100");
  }
}
