package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.Link;
import dev.nsunit.model.Route;
import dev.nsunit.testing.Await;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Faults judged by real traffic, as a client sees them: a drop makes a connect time out, a reject
 * makes it fail at once with {@code NoRouteToHostException}, other peers stay reachable, healing
 * restores traffic; a link set down is down for {@code ip -j link} and carries nothing, and comes
 * back with its default route. Every fault is healed when an endpoint it touches ends.
 */
class FaultsTests {
  static final Duration PROBE = Duration.ofSeconds(2);
  static LabNetwork net;
  static NetworkNamespace api;
  static NetworkNamespace db;
  static NetworkNamespace cache;
  static ServerSocket dbServer;
  static ServerSocket cacheServer;

  @BeforeAll
  static void topology() throws IOException {
    net = LabNetwork.create("faults-net", "10.115.0.0/24");
    api = NetworkNamespace.create("api");
    db = NetworkNamespace.create("db");
    cache = NetworkNamespace.create("cache");
    net.connect(api);
    net.connect(db);
    net.connect(cache);
    dbServer = db.serverSocketFactory().createServerSocket(5432);
    cacheServer = cache.serverSocketFactory().createServerSocket(6379);
  }

  @AfterAll
  static void end() throws IOException {
    for (ServerSocket s : new ServerSocket[] {dbServer, cacheServer}) {
      if (s != null) {
        s.close();
      }
    }
    for (NetworkNamespace ns : new NetworkNamespace[] {api, db, cache}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  /** Connects from api, with a connect timeout shorter than TCP's first SYN retry; the accepted socket is closed. */
  static void connect(NetworkNamespace to, ServerSocket server, int timeoutMillis) throws IOException {
    try (Socket s = api.socketFactory().createSocket()) {
      s.connect(new InetSocketAddress(to.ipv4Address("faults-net").orElseThrow(), server.getLocalPort()), timeoutMillis);
    }
    server.setSoTimeout(5_000);
    server.accept().close();
  }

  @Test
  void aDroppingPartitionTimesOutConnectsAndHealingRestoresThem() throws Exception {
    connect(db, dbServer, 5_000);
    try (Fault cut = Faults.partition(api, db, Faults.Blocking.DROP)) {
      assertThat(cut.description()).isEqualTo("partition api <-> db (drop)");
      assertThatThrownBy(() -> connect(db, dbServer, 500)).isInstanceOf(SocketTimeoutException.class);
      connect(cache, cacheServer, 5_000); // the other peers stay reachable
    }
    connect(db, dbServer, 5_000);
  }

  @Test
  void aDroppingPartitionLetsUdpSendsSucceedAndLosesThemAsADeadWireWould() throws Exception {
    InetAddress dbAddress = db.ipv4Address("faults-net").orElseThrow();
    try (DatagramSocket receiver = db.call(() -> new DatagramSocket(new InetSocketAddress(dbAddress, 0)));
         DatagramSocket sender = api.call(DatagramSocket::new)) {
      receiver.setSoTimeout(300);
      sender.connect(dbAddress, receiver.getLocalPort());
      try (Fault cut = Faults.partition(api, db, Faults.Blocking.DROP)) {
        sender.send(new DatagramPacket(new byte[] {1}, 1)); // no EPERM: the packet leaves api
        assertThatThrownBy(() -> receiver.receive(new DatagramPacket(new byte[1], 1)))
            .isInstanceOf(SocketTimeoutException.class);
      }
      sender.send(new DatagramPacket(new byte[] {2}, 1));
      DatagramPacket got = new DatagramPacket(new byte[1], 1);
      receiver.receive(got);
      assertThat(got.getData()[0]).isEqualTo((byte) 2);
    }
  }

  @Test
  void aCutLandsMidRequestAndTheAnswerIsLostUntilItHeals() throws Exception {
    InetAddress dbAddress = db.ipv4Address("faults-net").orElseThrow();
    CountDownLatch received = new CountDownLatch(1);
    CountDownLatch answer = new CountDownLatch(1);
    ExecutorService serverThread = Executors.newSingleThreadExecutor();
    try (ServerSocket slow = db.serverSocketFactory().createServerSocket(5433, 1, dbAddress);
         Socket client = api.socketFactory().createSocket(dbAddress, 5433)) {
      Future<?> served = serverThread.submit(() -> {
        try (Socket s = slow.accept()) {
          s.getInputStream().read(new byte[1]); // the request
          received.countDown();
          answer.await(); // answers only once the cut is in place
          s.getOutputStream().write('!');
          s.getInputStream().read(); // until the client hangs up
        }
        return null;
      });
      client.setSoTimeout(1_000);
      client.getOutputStream().write('?');
      assertThat(received.await(10, TimeUnit.SECONDS)).as("the server has the request").isTrue();
      try (Fault cut = Faults.partition(api, db, Faults.Blocking.DROP)) { // lands while the request is open
        answer.countDown();
        assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
      }
      // healed: TCP retransmits the answer, and the same connection delivers it
      client.setSoTimeout(30_000);
      assertThat(client.getInputStream().read()).isEqualTo('!');
      client.close();
      served.get(10, TimeUnit.SECONDS);
    } finally {
      serverThread.shutdownNow();
    }
  }

  @Test
  void aRejectingPartitionFailsConnectsAtOnce() throws Exception {
    try (Fault cut = Faults.partition(api, db, Faults.Blocking.REJECT)) {
      assertThatThrownBy(() -> connect(db, dbServer, 5_000)).isInstanceOf(NoRouteToHostException.class);
      assertThat(cut.isHealed()).isFalse();
    }
    connect(db, dbServer, 5_000);
  }

  @Test
  void aOneWayBlockStopsOnlyThatDirection() throws Exception {
    InetAddress dbAddress = db.ipv4Address("faults-net").orElseThrow();
    InetAddress apiAddress = api.ipv4Address("faults-net").orElseThrow();
    try (Fault oneWay = Faults.block(db, api, Faults.Blocking.REJECT)) {
      assertThat(db.ping(apiAddress, PROBE).reason().flatMap(r -> r.errnoName())).as("db -> api refused at once")
          .isPresent();
      assertThat(oneWay.description()).isEqualTo("partition db -> api (reject)");
      assertThat(api.ping(dbAddress, PROBE).isReached())
          .as("api's echo reaches db, but db's reply to api is stopped").isFalse();
    }
    Await.until("db reaches api again", () -> db.ping(apiAddress, PROBE).isReached());
    assertThat(api.ping(dbAddress, PROBE).isReached()).isTrue();
  }

  @Test
  void aLinkSetDownCarriesNothingAndComesBackWithItsDefaultRoute() throws Exception {
    InetAddress gateway = net.gateway();
    try (Fault down = Faults.linkDown(api, "eth0")) {
      assertThat(Commands.ipJson(api.path().toString(), "link", "show", "dev", "eth0").get(0).get("flags").toString())
          .doesNotContain("\"UP\"");
      assertThat(api.ping(gateway, PROBE).isReached()).isFalse();
      assertThat(down.description()).isEqualTo("link eth0 of api down");
    }
    assertThat(api.link("eth0").orElseThrow().isUp()).isTrue();
    assertThat(api.routes()).filteredOn(Route::isDefault).extracting(r -> r.gateway().map(InetAddresses::format))
        .contains(Optional.of(InetAddresses.format(gateway)));
    Await.until("api reaches its gateway again", () -> api.ping(gateway, PROBE).isReached());
  }

  @Test
  void endingAnEndpointHealsTheFaultsThatTouchIt() throws Exception {
    NetworkNamespace ghost = NetworkNamespace.create("ghost");
    net.connect(ghost);
    Fault cut = Faults.partition(api, ghost, Faults.Blocking.REJECT);
    ghost.close();
    assertThat(cut.isHealed()).as("healed by ghost's release, and api keeps no rule for its old address").isTrue();
    assertThat(Commands.in(api.path().toString(), "nft", "list", "chain", "inet", "nsunit-faults", "output"))
        .doesNotContain("reject");
  }

  @Test
  void connectionsCutMidTransferDoNotKeepTheirNamespacesAliveAfterTheirScope() throws Exception {
    NetworkNamespace client = NetworkNamespace.create("client");
    NetworkNamespace server = NetworkNamespace.create("server");
    net.connect(client);
    net.connect(server);
    String clientVeth = EndpointNetworks.of(client.netns()).snapshot().get(0).attachment().labVeth();
    String serverVeth = EndpointNetworks.of(server.netns()).snapshot().get(0).attachment().labVeth();
    try (ServerSocket listener = server.serverSocketFactory().createServerSocket(7000);
         Socket s = client.socketFactory().createSocket(server.ipv4Address("faults-net").orElseThrow(), 7000);
         Socket accepted = listener.accept()) {
      Faults.partition(client, server, Faults.Blocking.DROP); // healed when either ends
      s.getOutputStream().write(new byte[8_000]); // into the void (within the send buffer): unacknowledged at close
      accepted.getOutputStream().write(new byte[8_000]);
    }
    // the descriptors are closed, but the kernel keeps each socket retransmitting (an orphan), and
    // an orphan holds its namespace: nsunit ends them with the scope, so the lab side goes too
    client.close();
    server.close();
    Await.until("the endpoints' lab veths to go with their namespaces", () -> Lab.get().netns().rtnetlink().links()
        .stream().map(Link::name).noneMatch(n -> n.equals(clientVeth) || n.equals(serverVeth)));
  }

  @Test
  void misuseIsRefused() {
    try (NetworkNamespace alone = NetworkNamespace.create("alone"); NetworkNamespace host = NetworkNamespace.host()) {
      assertThatThrownBy(() -> Faults.partition(api, alone, Faults.Blocking.DROP))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is on no lab network");
      assertThatThrownBy(() -> Faults.linkDown(host, "lo")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("never the JVM's own network");
      assertThatThrownBy(() -> Faults.linkDown(api, "eth9")).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("has no interface eth9");
    }
  }
}
