package dev.nsunit.assertions;

import static dev.nsunit.testing.Ip.ip;
import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static dev.nsunit.assertions.error.ShouldReach.shouldFailBecause;
import static dev.nsunit.assertions.error.ShouldReach.shouldNotReach;
import static dev.nsunit.assertions.error.ShouldReach.shouldReach;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.ProbeResult;
import dev.nsunit.model.ProbeResult.Reason;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Probes from {@code a} (192.0.2.1, fd00::1) to {@code b} (192.0.2.2, fd00::2) over a veth, with
 * a TCP server on b:8080 and a UDP echo server on b:5353. Nothing listens on 8081 or 5354.
 */
class ReachabilityAssertionsTests {
  private static TwoHosts hosts;
  private static ServerSocket tcpServer;
  private static DatagramSocket udpServer;
  private static CompletableFuture<Void> udpEcho;

  @BeforeAll
  static void topology() throws Exception {
    hosts = new TwoHosts();
    tcpServer = hosts.b.call(() -> new ServerSocket(8080)); // dual-stack: IPv4 and IPv6
    udpServer = hosts.b.call(() -> new DatagramSocket(new InetSocketAddress(5353)));
    udpEcho = CompletableFuture.runAsync(() -> {
      byte[] buf = new byte[1500];
      try {
        while (true) {
          DatagramPacket p = new DatagramPacket(buf, buf.length);
          udpServer.receive(p);
          udpServer.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
        }
      } catch (SocketException closed) {
        // close() ends the loop
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }, hosts.b.executor());
    ip(hosts.a.path(), "route", "add", "unreachable", "198.51.100.0/24");
    ip(hosts.a.path(), "route", "add", "prohibit", "203.0.113.0/24");
  }

  @AfterAll
  static void cleanup() throws Exception {
    try {
      tcpServer.close();
      udpServer.close();
      udpEcho.get();
    } finally {
      hosts.close();
    }
  }

  private static ProbeResult icmp(NetworkNamespace from, String to) throws Exception {
    return from.ping(InetAddresses.parse(to), NetworkAssertions.DEFAULT_PROBE_TIMEOUT);
  }

  private static ProbeResult tcp(NetworkNamespace from, String to, int port) throws Exception {
    return from.connectTcp(InetAddresses.parse(to), port, NetworkAssertions.DEFAULT_PROBE_TIMEOUT);
  }

  // ------------------------------------------------------------ Docker's none mode

  @Test
  void noneModeCannotReachTheBridgeBecauseTheNetworkIsUnreachable() {
    try (NetworkNamespace none = NetworkNamespace.create("none")) {
      UnreachableAssert why = assertThat(none).cannotReach("172.17.0.1").withReason(Reason.NETWORK_UNREACHABLE);
      assertThat(why.result().reason().orElseThrow().text()).isEqualTo("Network is unreachable");
      assertThat(none).cannotReach("172.17.0.1", 80).withReason(Reason.NETWORK_UNREACHABLE);
      assertThat(none).cannotReachUdp("172.17.0.1", 53).withReason(Reason.NETWORK_UNREACHABLE);
    }
  }

  @Test
  void canReachFailureSaysWhyWithTheProbeResult() throws Exception {
    try (NetworkNamespace none = NetworkNamespace.create("none")) {
      NamespaceAssert a = assertThat(none);
      ProbeResult expected = icmp(none, "172.17.0.1");
      assertThat(expected.reason()).contains(Reason.NETWORK_UNREACHABLE);
      assertThatThrownBy(() -> a.canReach("172.17.0.1"))
          .hasMessage(shouldReach(none.toString(), expected, a.snapshot()).create())
          .hasMessageContaining("Network is unreachable");
    }
  }

  @Test
  void withReasonFailsForAnotherReason() throws Exception {
    try (NetworkNamespace none = NetworkNamespace.create("none")) {
      NamespaceAssert a = assertThat(none);
      ProbeResult actual = icmp(none, "172.17.0.1");
      assertThatThrownBy(() -> a.cannotReach("172.17.0.1").withReason(Reason.TIMED_OUT))
          .hasMessage(shouldFailBecause(none.toString(), actual, Reason.TIMED_OUT, a.snapshot()).create());
    }
  }

  // ------------------------------------------------------------ ICMP

  @Test
  void icmpEchoAcrossTheVethBothFamilies() {
    assertThat(hosts.a).canReach("192.0.2.2").canReach("fd00::2").canReach("127.0.0.1").canReach("::1");
    assertThat(hosts.b).canReach("192.0.2.1");
  }

  @Test
  void cannotReachFailsWhenThePeerAnswers() {
    NamespaceAssert a = assertThat(hosts.a);
    assertThatThrownBy(() -> a.cannotReach("192.0.2.2"))
        .hasMessage(shouldNotReach(hosts.a.toString(), ProbeResult.reached("ICMP echo to 192.0.2.2"), a.snapshot()).create());
  }

  @Test
  void unreachableRouteGivesHostUnreachable() throws Exception {
    assertThat(hosts.a).cannotReach("198.51.100.1").withReason(Reason.HOST_UNREACHABLE)
        .and().cannotReach("198.51.100.1", 80).withReason(Reason.HOST_UNREACHABLE);

    NamespaceAssert a = assertThat(hosts.a);
    ProbeResult expected = icmp(hosts.a, "198.51.100.1");
    assertThatThrownBy(() -> a.canReach("198.51.100.1"))
        .hasMessage(shouldReach(hosts.a.toString(), expected, a.snapshot()).create())
        .hasMessageContaining("No route to host");
  }

  @Test
  void prohibitRouteGivesProhibited() {
    assertThat(hosts.a).cannotReach("203.0.113.1").withReason(Reason.PROHIBITED)
        .and().cannotReach("203.0.113.1", 80).withReason(Reason.PROHIBITED);
  }

  @Test
  void silentNeighbourTimesOutWithinTheUserTimeout() throws Exception {
    // nobody has 192.0.2.99: ARP gives up only after about 3 s, so a short probe times out
    assertThat(hosts.a).withTimeout(Duration.ofMillis(300))
        .cannotReach("192.0.2.99").withReason(Reason.TIMED_OUT)
        .and().cannotReach("192.0.2.99", 80).withReason(Reason.TIMED_OUT);

    NamespaceAssert a = assertThat(hosts.a).withTimeout(Duration.ofMillis(300));
    assertThatThrownBy(() -> a.canReach("192.0.2.99"))
        .hasMessage(shouldReach(hosts.a.toString(), ProbeResult.failed("ICMP echo to 192.0.2.99", Reason.TIMED_OUT,
            "no echo reply within 300 ms"), a.snapshot()).create());
  }

  @Test
  void timeoutMustBePositive() {
    assertThatThrownBy(() -> assertThat(hosts.a).withTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
  }

  // ------------------------------------------------------------ TCP

  @Test
  void tcpConnectToAListenerBothFamilies() {
    assertThat(hosts.a).canReach("192.0.2.2", 8080).canReach("fd00::2", 8080);
  }

  @Test
  void tcpConnectWithoutListenerIsRefused() throws Exception {
    assertThat(hosts.a).cannotReach("192.0.2.2", 8081).withReason(Reason.CONNECTION_REFUSED);

    NamespaceAssert a = assertThat(hosts.a);
    ProbeResult expected = tcp(hosts.a, "192.0.2.2", 8081);
    assertThatThrownBy(() -> a.canReach("192.0.2.2", 8081))
        .hasMessage(shouldReach(hosts.a.toString(), expected, a.snapshot()).create())
        .hasMessageContaining("Connection refused");
    assertThatThrownBy(() -> a.cannotReach("192.0.2.2", 8080))
        .hasMessage(shouldNotReach(hosts.a.toString(), ProbeResult.reached("TCP connect to 192.0.2.2:8080"),
            a.snapshot()).create());
  }

  // ------------------------------------------------------------ UDP

  @Test
  void udpRequestGetsTheEchoBothFamilies() {
    assertThat(hosts.a).canReachUdp("192.0.2.2", 5353).canReachUdp("fd00::2", 5353, new byte[] {42});
  }

  @Test
  void udpWithoutServerIsRefusedByIcmpPortUnreachable() throws Exception {
    assertThat(hosts.a).cannotReachUdp("192.0.2.2", 5354).withReason(Reason.CONNECTION_REFUSED);

    NamespaceAssert a = assertThat(hosts.a);
    ProbeResult expected = hosts.a.exchangeUdp(InetAddresses.parse("192.0.2.2"), 5354,
        NamespaceAssert.DEFAULT_UDP_REQUEST.getBytes(StandardCharsets.US_ASCII),
        NetworkAssertions.DEFAULT_PROBE_TIMEOUT);
    assertThatThrownBy(() -> a.canReachUdp("192.0.2.2", 5354))
        .hasMessage(shouldReach(hosts.a.toString(), expected, a.snapshot()).create());
    assertThatThrownBy(() -> a.cannotReachUdp("192.0.2.2", 5353))
        .hasMessage(shouldNotReach(hosts.a.toString(),
            ProbeResult.reached("UDP request/response with 192.0.2.2:5353"), a.snapshot()).create());
  }
}
