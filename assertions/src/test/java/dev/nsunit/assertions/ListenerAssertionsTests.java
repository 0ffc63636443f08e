package dev.nsunit.assertions;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static dev.nsunit.assertions.error.ShouldBeListening.shouldBeListening;
import static dev.nsunit.assertions.error.ShouldBeListening.shouldBeOwnedBy;
import static dev.nsunit.assertions.error.ShouldBeListening.shouldHaveSocketProperty;
import static dev.nsunit.assertions.error.ShouldBeListening.shouldNotBeListening;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.InetSocket;
import dev.nsunit.testing.JavaProcess;
import dev.nsunit.testing.ListenMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One namespace with a dual-stack TCP listener on 6379, an IPv4-only one on 127.0.0.1:7000 and a
 * UDP socket on 5353, all opened by this JVM.
 */
class ListenerAssertionsTests {
  private static final long JVM = ProcessHandle.current().pid();
  private static NetworkNamespace ns;
  private static ServerSocket dualStack;
  private static ServerSocket loopbackOnly;
  private static DatagramSocket udp;

  @BeforeAll
  static void sockets() throws Exception {
    ns = NetworkNamespace.create("listeners");
    dualStack = ns.call(() -> new ServerSocket(6379));
    loopbackOnly = ns.call(() -> new ServerSocket(7000, 50, InetAddress.getByName("127.0.0.1")));
    udp = ns.call(() -> new DatagramSocket(new InetSocketAddress(5353)));
  }

  @AfterAll
  static void cleanup() throws Exception {
    try {
      dualStack.close();
      loopbackOnly.close();
      udp.close();
    } finally {
      ns.close();
    }
  }

  private static List<InetSocket> tcp(NetworkSnapshot s, int port) {
    return s.sockets().stream().filter(x -> x.isListening() && x.localPort() == port).collect(Collectors.toList());
  }

  @Test
  void listeningOnAPortOnAnyAddress() {
    assertThat(ns).isListeningOn(6379).isDualStack()
        .and().isListeningOn(7000)
        .and().isNotListeningOn(6380);

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.isListeningOn(6380))
        .hasMessage(shouldBeListening(ns.toString(), "TCP on *:6380", s).create());
    assertThatThrownBy(() -> a.isNotListeningOn(6379))
        .hasMessage(shouldNotBeListening(ns.toString(), "TCP on *:6379", tcp(s, 6379), s).create());
  }

  @Test
  void listeningOnASpecificAddress() {
    assertThat(ns).isListeningOn("127.0.0.1", 6379)   // dual-stack wildcard takes IPv4
        .and().isListeningOn("::1", 6379)
        .and().isListeningOn("127.0.0.1", 7000)
        .and().isNotListeningOn("::1", 7000)
        .and().isNotListeningOn("192.0.2.1", 7000);

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.isListeningOn("192.0.2.1", 7000))
        .hasMessage(shouldBeListening(ns.toString(), "TCP on 192.0.2.1:7000", s).create());
    assertThatThrownBy(() -> a.isListeningOn("::1", 7000))
        .hasMessage(shouldBeListening(ns.toString(), "TCP on [::1]:7000", s).create());
    assertThatThrownBy(() -> a.isNotListeningOn("127.0.0.1", 7000))
        .hasMessage(shouldNotBeListening(ns.toString(), "TCP on 127.0.0.1:7000", tcp(s, 7000), s).create());
  }

  @Test
  void isDualStackFailsForAnIpv4OnlyListener() {
    NamespaceAssert a = assertThat(ns);
    InetSocket v4 = tcp(a.snapshot(), 7000).get(0);
    assertThatThrownBy(() -> a.isListeningOn(7000).isDualStack())
        .hasMessage(shouldHaveSocketProperty(ns.toString(), v4, "dual-stack", true, false, a.snapshot()).create());
  }

  @Test
  void udpSockets() {
    assertThat(ns).isListeningOnUdp(5353).and().isListeningOnUdp("127.0.0.1", 5353)
        .and().isNotListeningOnUdp(5354).isNotListeningOnUdp(6379);

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    List<InetSocket> bound = s.sockets().stream().filter(x -> x.protocol() == InetSocket.Protocol.UDP && x.localPort() == 5353)
        .collect(Collectors.toList());
    assertThatThrownBy(() -> a.isListeningOnUdp(5354))
        .hasMessage(shouldBeListening(ns.toString(), "UDP on *:5354", s).create());
    assertThatThrownBy(() -> a.isListeningOn(5353)) // a UDP socket is no TCP listener
        .hasMessage(shouldBeListening(ns.toString(), "TCP on *:5353", s).create());
    assertThatThrownBy(() -> a.isNotListeningOnUdp(5353))
        .hasMessage(shouldNotBeListening(ns.toString(), "UDP on *:5353", bound, s).create());
  }

  @Test
  void socketsOpenedByTheJvmBelongToTheJvm() {
    assertThat(ns).isListeningOn(6379).isOwnedBy(JVM).isOwnedByCommand("java");

    NamespaceAssert a = assertThat(ns);
    InetSocket socket = tcp(a.snapshot(), 6379).get(0);
    assertThat(NetworkNamespace.ownersOf(socket)).extracting(o -> o.pid()).containsExactly(JVM);
    assertThatThrownBy(() -> a.isListeningOn(6379).isOwnedBy(1))
        .hasMessage(shouldBeOwnedBy(ns.toString(), socket, "pid 1", NetworkNamespace.ownersOf(socket)).create());
    assertThatThrownBy(() -> a.isListeningOn(6379).isOwnedByCommand("redis-server"))
        .hasMessage(shouldBeOwnedBy(ns.toString(), socket, "command redis-server",
            NetworkNamespace.ownersOf(socket)).create());
  }

  @Test
  void socketsOfAStartedProcessBelongToThatProcess() throws Exception {
    Process server = ns.start(new ProcessBuilder(JavaProcess.command(ListenMain.class, "7100")).redirectErrorStream(true));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      assertThat(out.readLine()).isEqualTo(ListenMain.READY);

      assertThat(ns).isListeningOn(7100).isOwnedBy(server.pid()).isOwnedByCommand("java");
      NamespaceAssert a = assertThat(ns);
      InetSocket socket = tcp(a.snapshot(), 7100).get(0);
      assertThatThrownBy(() -> a.isListeningOn(7100).isOwnedBy(JVM))
          .hasMessage(shouldBeOwnedBy(ns.toString(), socket, "pid " + JVM, NetworkNamespace.ownersOf(socket)).create());
    } finally {
      server.destroyForcibly();
      server.waitFor();
    }
  }
}
