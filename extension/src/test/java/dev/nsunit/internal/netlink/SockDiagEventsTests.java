package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.InetSocket;
import dev.nsunit.testing.Shell;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link SockDiagEvents} and {@link InetSocketDump} against the kernel, in a fresh namespace;
 * {@code ss} is the oracle for what a dump lists.
 */
class SockDiagEventsTests {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void aSubscribedSocketHearsOfEachTcpAndUdpSocketDestroyedWithTheCookieADumpReported() throws Exception {
    try (Netns ns = Netns.create("events"); SockDiagEvents events = ns.call(SockDiagEvents::open);
        InetSocketDump dump = ns.call(InetSocketDump::open)) {
      events.subscribe();
      long[] cookies = ns.call(() -> {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(LOOPBACK, 0));
            SocketChannel client = SocketChannel.open(StandardProtocolFamily.INET);
            DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET6)
                .bind(new InetSocketAddress(InetAddress.getByName("::1"), 0))) {
          client.connect(server.getLocalAddress());
          List<SockDiagEntry> all = new ArrayList<>(dump.tcpConnections());
          all.addAll(dump.udpAndListeners());
          return new long[] {cookieOf(all, client.getLocalAddress()), cookieOf(all, udp.getLocalAddress())};
        }
      });
      List<SockDiagEntry> got = new ArrayList<>();
      assertThat(events.await(Set.of(cookies[0], cookies[1]), 10_000, got)).isTrue();
      SockDiagEntry tcp = got.stream().filter(e -> e.cookie() == cookies[0]).findFirst().orElseThrow();
      assertThat(tcp.socket().protocol()).isEqualTo(InetSocket.Protocol.TCP);
      assertThat(tcp.socket().local()).isEqualTo(LOOPBACK);
      // destroy events carry neither uid nor inode: the kernel fills those in dumps only
      assertThat(tcp.socket().inode()).isZero();
      SockDiagEntry udp = got.stream().filter(e -> e.cookie() == cookies[1]).findFirst().orElseThrow();
      assertThat(udp.socket().protocol()).isEqualTo(InetSocket.Protocol.UDP);
      assertThat(udp.socket().isIpv6()).isTrue();
      assertThat(events.takeLost()).isFalse();
    }
  }

  @Test
  void anUnsubscribedSocketHearsNothing() throws Exception {
    try (Netns ns = Netns.create("events-off"); SockDiagEvents events = ns.call(SockDiagEvents::open);
        InetSocketDump dump = ns.call(InetSocketDump::open)) {
      events.subscribe();
      events.unsubscribe();
      long cookie = ns.call(() -> {
        try (DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)) {
          udp.bind(new InetSocketAddress(LOOPBACK, 0));
          return cookieOf(dump.udpAndListeners(), udp.getLocalAddress());
        }
      });
      List<SockDiagEntry> got = new ArrayList<>();
      assertThat(events.await(Set.of(cookie), 200, got)).isFalse();
      assertThat(got).isEmpty();
    }
  }

  @Test
  void aConnectionDumpListsWhatSsListsButNoTimeWaitRemnant() throws Exception {
    try (Netns ns = Netns.create("dump"); InetSocketDump dump = ns.call(InetSocketDump::open)) {
      String path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + ns.fd();
      ns.call(() -> {
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(LOOPBACK, 0));
            DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(LOOPBACK, 0))) {
          SocketChannel closedFirst = SocketChannel.open(server.getLocalAddress());
          try (SocketChannel accepted = server.accept()) {
            int closedPort = ((InetSocketAddress) closedFirst.getLocalAddress()).getPort();
            closedFirst.close(); // FIN-WAIT-2 until `accepted` closes too: a TIME-WAIT socket under its substate
            assertThat(Shell.in(path, "ss", "-Htn", "state", "fin-wait-2")).contains(":" + closedPort + " ");
            List<SockDiagEntry> connections = dump.tcpConnections();
            assertThat(connections).extracting(e -> e.socket().localPort())
                .containsExactly(((InetSocketAddress) accepted.getLocalAddress()).getPort());
            assertThat(connections.get(0).socket().stateName()).isEqualTo("CLOSE-WAIT");
            assertThat(Shell.in(path, "ss", "-Htn", "state", "close-wait")).contains(":" + closedPort);
            assertThat(dump.udpAndListeners()).extracting(e -> e.socket().protocol().netid() + " "
                + e.socket().stateName() + " " + e.socket().localText())
                .containsExactlyInAnyOrder("udp UNCONN " + udp.getLocalAddress().toString().substring(1),
                    "tcp LISTEN " + ((InetSocketAddress) server.getLocalAddress()).getAddress().getHostAddress() + ":"
                        + ((InetSocketAddress) server.getLocalAddress()).getPort());
          }
        }
        return null;
      });
    }
  }

  /** The cookie of the socket bound to {@code local} among {@code sockets}. */
  private static long cookieOf(List<SockDiagEntry> sockets, SocketAddress local) {
    int port = ((InetSocketAddress) local).getPort();
    return sockets.stream().filter(e -> e.socket().localPort() == port).findFirst()
        .orElseThrow(() -> new AssertionError("no socket on port " + port + " in " + sockets)).cookie();
  }
}
