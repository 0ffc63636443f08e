package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkNamespace#socketFactory()} and {@link NetworkNamespace#serverSocketFactory()}
 * make sockets that belong to the namespace although this test's thread (JUnit's) is outside it.
 *
 * <p>Oracles: {@code ss}, run in the namespace through {@code nsenter} and in the JVM's own, shows
 * each connection and listener where it really is; and a decoy listener of this test on the JVM's
 * own loopback, on the same port as the server inside, catches any socket that went to the wrong
 * namespace (it connects to the decoy instead, and the server inside never sees it).
 */
class SocketFactoryTests {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private NetworkNamespace ns;
  private ServerSocket decoy;
  private int port;

  @BeforeEach
  void namespaceAndDecoy() throws Exception {
    ns = NetworkNamespace.create("socket-factory");
    decoy = new ServerSocket(0, 50, LOOPBACK); // ours: nothing else on this machine is touched
    port = decoy.getLocalPort();
  }

  @AfterEach
  void close() throws Exception {
    decoy.close();
    ns.close();
  }

  @Test
  void anUnconnectedSocketMadeOutsideConnectsFromInside() throws Exception {
    try (ServerSocket server = serverInside(); Socket s = ns.socketFactory().createSocket()) {
      assertThat(s.isConnected()).isFalse();
      s.connect(new InetSocketAddress(LOOPBACK, port), 5000);
      assertAcceptedInside(server, s);
    }
  }

  @Test
  void socketsThatConnectAtOnceConnectFromInside() throws Exception {
    try (ServerSocket server = serverInside()) {
      try (Socket s = ns.socketFactory().createSocket(LOOPBACK, port)) {
        assertAcceptedInside(server, s);
      }
      try (Socket s = ns.socketFactory().createSocket("127.0.0.1", port)) {
        assertAcceptedInside(server, s);
      }
      try (Socket s = ns.socketFactory().createSocket(LOOPBACK, port, LOOPBACK, 0)) {
        assertAcceptedInside(server, s);
      }
      try (Socket s = ns.socketFactory().createSocket("127.0.0.1", port, LOOPBACK, 0)) {
        assertAcceptedInside(server, s);
      }
    }
  }

  @Test
  void aSocketMadeByCallIsNotInsideWhichIsWhyTheFactoryExists() throws Exception {
    // java.net.Socket creates its descriptor at connect(), on this thread: the oracle must see that
    try (ServerSocket server = serverInside(); Socket s = ns.call(Socket::new)) {
      s.connect(new InetSocketAddress(LOOPBACK, port), 5000);
      assertThat(established(null, s.getLocalPort())).isNotEmpty();
      assertThat(established(ns, s.getLocalPort())).isEmpty();
      decoy.accept().close();
      assertThat(server.isBound()).isTrue();
    }
  }

  @Test
  void anUnboundServerSocketMadeOutsideListensInside() throws Exception {
    try (ServerSocket server = ns.serverSocketFactory().createServerSocket()) {
      assertThat(server.isBound()).isFalse();
      server.bind(new InetSocketAddress(LOOPBACK, port)); // the decoy holds this port outside
      assertListeningInsideOnly();
      assertServes(server);
    }
  }

  @Test
  void boundServerSocketsListenInside() throws Exception {
    try (ServerSocket server = ns.serverSocketFactory().createServerSocket(port)) {
      assertListeningInsideOnly();
      assertServes(server);
    }
    try (ServerSocket server = ns.serverSocketFactory().createServerSocket(port, 10)) {
      assertListeningInsideOnly();
      assertServes(server);
    }
    try (ServerSocket server = ns.serverSocketFactory().createServerSocket(port, 10, LOOPBACK)) {
      assertListeningInsideOnly();
      assertServes(server);
    }
  }

  @Test
  void aClosedNamespaceRefusesToMakeSockets() {
    var sockets = ns.socketFactory();
    var servers = ns.serverSocketFactory();
    ns.close();
    assertThatThrownBy(sockets::createSocket).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed; create a new one instead of reusing it");
    assertThatThrownBy(() -> servers.createServerSocket(port)).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is closed");
  }

  private ServerSocket serverInside() throws Exception {
    ServerSocket server = ns.call(() -> new ServerSocket(port, 50, LOOPBACK));
    server.setSoTimeout(10_000); // a socket that went to the decoy instead never arrives
    return server;
  }

  private void assertAcceptedInside(ServerSocket server, Socket client) throws Exception {
    try (Socket accepted = server.accept()) {
      assertThat(accepted.getPort()).isEqualTo(client.getLocalPort());
      assertThat(established(ns, client.getLocalPort())).as("ss in %s", ns).isNotEmpty();
      assertThat(established(null, client.getLocalPort())).as("ss in the JVM's own namespace").isEmpty();
    }
  }

  private void assertListeningInsideOnly() throws Exception {
    assertThat(ns.awaitListening(port, Duration.ofSeconds(5)).localPort()).isEqualTo(port);
    assertThat(Commands.in(ns.path().toString(), "ss", "-Hltn", "sport", "=", ":" + port)).isNotBlank();
    // outside, only the decoy listens on that port: the same socket inode is not there
    String inode = Commands.in(ns.path().toString(), "ss", "-Hltne", "sport", "=", ":" + port)
        .replaceAll("(?s).*ino:(\\d+).*", "$1").trim();
    assertThat(Commands.in(null, "ss", "-Hltne", "sport", "=", ":" + port)).doesNotContain("ino:" + inode + " ");
  }

  /** A connection from inside reaches the server: it is where ns's loopback is. */
  private void assertServes(ServerSocket server) throws Exception {
    server.setSoTimeout(10_000);
    CompletableFuture<Integer> client = CompletableFuture.supplyAsync(() -> {
      try {
        return ns.call(() -> {
          try (Socket s = new Socket(LOOPBACK, port)) {
            return s.getLocalPort();
          }
        });
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, ns.executor());
    try (Socket accepted = server.accept()) {
      assertThat(accepted.getPort()).isEqualTo(client.get(10, TimeUnit.SECONDS));
    }
  }

  /** {@code ss} lines of established TCP connections from {@code localPort} to the test's port. */
  private String established(NetworkNamespace where, int localPort) {
    String[] ss = {"ss", "-Htn", "state", "established", "(", "sport", "=", ":" + localPort, "and", "dport", "=",
        ":" + port, ")"};
    return Commands.in(where == null ? null : where.path().toString(), ss).trim();
  }
}
