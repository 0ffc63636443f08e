package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.IpPrefix;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The lab's nf_tables rules with real traffic, between three namespaces the test makes and
 * closes: a client and a server, each joined by a veth pair to a router in the middle, which
 * alone forwards. Addresses are documentation ranges (192.0.2.0/24 on the client's side,
 * 198.51.100.0/24 on the server's, 203.0.113.0/24 behind the router) and no namespace has a way
 * out: packets only go between these three.
 *
 * <p>The router's own per-destination ICMP limit is off ({@code net.ipv4.icmp_ratelimit=0},
 * written in its namespace, as the lab does), so what limits the errors is the path they take:
 * an nft reject goes through {@code icmp_send} alone, a route or rule that refuses goes through
 * the routing code's error burst ({@code net.ipv4.route.error_burst}, host-wide) first.
 */
class NftTrafficTests {
  /**
   * The connect timeout that tells "refused at once" from "dropped" by outcome alone, with no
   * time measured: shorter than the 1 s after which TCP resends an unanswered SYN, so a connect
   * that ends in EHOSTUNREACH within it was answered by the ICMP error for its first SYN, and one
   * whose SYN was dropped times out.
   */
  private static final int BEFORE_SYN_RETRY_MILLIS = 900;
  /** The kernel's default error_burst / error_cost. */
  private static final int DEFAULT_ROUTE_ERROR_BURST = 5;
  /**
   * A client address of its own for each test: the kernel's budget of route errors is kept per
   * destination host, host-wide, so a test that spent the budget of one client address would leave
   * the next test's first connects unanswered for a second.
   */
  private static final AtomicInteger CLIENTS = new AtomicInteger();
  private static final InetAddress ROUTER_CLIENT_SIDE = ip("192.0.2.1");
  private static final InetAddress ROUTER_SERVER_SIDE = ip("198.51.100.1");
  private static final InetAddress SERVER = ip("198.51.100.2");

  private Netns client;
  private InetAddress clientAddress;
  private Netns router;
  private Netns server;
  private ServerSocket listener;

  /** One connect: how it ended and how long it took. */
  private record Attempt(String outcome, long millis) {
    boolean refusedAtOnce() {
      return outcome.equals("EHOSTUNREACH");
    }
  }

  @BeforeEach
  void threeNamespaces() throws Exception {
    client = Netns.create("nft client");
    router = Netns.create("nft router");
    server = Netns.create("nft server");
    Rtnetlink r = router.rtnetlink();
    r.add(LinkRequest.veth("rc", "eth0", client.fd()).up());
    r.add(LinkRequest.veth("rs", "eth0", server.fd()).up());
    int rc = r.indexOf("rc");
    int rs = r.indexOf("rs");
    r.addAddress(rc, new IpPrefix(ROUTER_CLIENT_SIDE, 24));
    r.addAddress(rs, new IpPrefix(ROUTER_SERVER_SIDE, 24));
    Ipv4DevConfRequest.forwarding(rc, true).sendOn(r);
    Ipv4DevConfRequest.forwarding(rs, true).sendOn(r);
    router.call(() -> Files.writeString(Path.of("/proc/sys/net/ipv4/icmp_ratelimit"), "0"));
    clientAddress = ip("192.0.2." + (2 + CLIENTS.getAndIncrement() % 250));
    end(client, clientAddress, ROUTER_CLIENT_SIDE);
    end(server, SERVER, ROUTER_SERVER_SIDE);
    listener = server.call(() -> {
      ServerSocket s = new ServerSocket();
      s.bind(new InetSocketAddress(SERVER, 0), 50);
      return s;
    });
    listener.setSoTimeout(5_000);
  }

  private static void end(Netns ns, InetAddress address, InetAddress gateway) {
    Rtnetlink rt = ns.rtnetlink();
    rt.setUp("eth0", true);
    rt.addAddress(rt.indexOf("eth0"), new IpPrefix(address, 24));
    rt.addRoute(RouteRequest.defaultVia(gateway));
  }

  @AfterEach
  void close() throws IOException {
    try {
      if (listener != null) {
        listener.close();
      }
    } finally {
      try {
        client.close();
      } finally {
        try {
          router.close();
        } finally {
          server.close();
        }
      }
    }
  }

  private Nftables routerNft() throws Exception {
    return router.call(Nftables::open);
  }

  /** {@code count} connects from the client to {@code to}, one after the other. */
  private List<Attempt> connects(InetAddress to, int port, int count, int timeoutMillis) throws Exception {
    return client.call(() -> {
      List<Attempt> out = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        String outcome;
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(to, port), timeoutMillis);
          outcome = "connected";
        } catch (NoRouteToHostException e) {
          outcome = "EHOSTUNREACH";
        } catch (SocketTimeoutException e) {
          outcome = "timed out";
        } catch (ConnectException e) {
          outcome = "refused: " + e.getMessage();
        }
        out.add(new Attempt(outcome, (System.nanoTime() - start) / 1_000_000));
      }
      return out;
    });
  }

  /** How many route errors the kernel sends to one host in a burst: error_burst / error_cost. */
  private static int routeErrorBurst() throws IOException {
    // read-only, in the JVM's own namespace: these two exist only in the machine's initial
    // namespace, as they are host-wide. Under the rootless launcher the JVM is elsewhere and cannot
    // read them; they still apply, and the kernel's defaults (5 * HZ and HZ) give 5.
    if (!Files.exists(Path.of("/proc/sys/net/ipv4/route/error_burst"))) {
      return DEFAULT_ROUTE_ERROR_BURST;
    }
    // By lines: JDK 17's Files.readString reads a /proc file (size 0) only as far as its first read.
    int burst = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/route/error_burst")).get(0).trim());
    int cost = Integer.parseInt(Files.readAllLines(Path.of("/proc/sys/net/ipv4/route/error_cost")).get(0).trim());
    return cost <= 0 ? Integer.MAX_VALUE : burst / cost;
  }

  @Test
  void theForwardRejectRefusesEveryRoutedConnectAtOnceWithoutABurstLimit() throws Exception {
    assertThat(connects(SERVER, listener.getLocalPort(), 1, 3_000)).as("before the rule, the router routes")
        .extracting(Attempt::outcome).containsExactly("connected");
    try (Nftables nft = routerNft()) {
      NftRuleset.labForwardReject().applyTo(nft);
    }

    List<Attempt> attempts = connects(SERVER, listener.getLocalPort(), 20, BEFORE_SYN_RETRY_MILLIS);

    assertThat(attempts).as("20 connects in a row, each refused by an ICMP host unreachable for its first SYN: %s",
        attempts).allMatch(Attempt::refusedAtOnce);
  }

  @Test
  void theProhibitRuleItReplacesAnswersOnlyABurstAtOnce() throws Exception {
    int burst = routeErrorBurst();
    assumeTrue(burst < 20, "this host's net.ipv4.route.error_burst lets " + burst + " errors through at once");
    // the lab's rule before nf_tables: everything that arrives from outside is refused by routing
    RuleRequest.prohibit(false).iif("lo").not().priority(100).sendOn(router.rtnetlink());

    List<Attempt> attempts = connects(SERVER, listener.getLocalPort(), burst + 1, BEFORE_SYN_RETRY_MILLIS);

    assertThat(attempts.subList(0, burst)).allMatch(Attempt::refusedAtOnce);
    assertThat(attempts.get(burst).outcome()).as("the one past the burst gets no answer: %s", attempts)
        .isEqualTo("timed out");
  }

  @Test
  void onlyADestinationWithARouteReachesTheForwardHook() throws Exception {
    int burst = routeErrorBurst();
    assumeTrue(burst < 20, "this host's net.ipv4.route.error_burst lets " + burst + " errors through at once");
    Rtnetlink r = router.rtnetlink();
    // the lab's other refusal: an unreachable default route, answered by the routing code
    RejectRouteRequest.unreachable(IpPrefix.parse("0.0.0.0/0")).sendOn(r);
    // a route through a device (here lo) makes the router forward, into the forward hook
    r.addRoute(RouteRequest.to(IpPrefix.parse("203.0.113.0/25")).dev(r.indexOf("lo")));
    try (Nftables nft = routerNft()) {
      NftRuleset.labForwardReject().applyTo(nft);
    }

    // first, while the client's error budget is whole (nft's ICMP errors to it spend it too).
    // The route's errors come in a burst: the first is answered at once, and within burst + 1
    // one is not. How many of the burst are left is the kernel's: the rootless CI run once saw
    // 2 of 5 answered, then 2 unanswered, then 1 answered again as the budget refilled.
    List<Attempt> unrouted = connects(ip("203.0.113.200"), 80, burst + 1, BEFORE_SYN_RETRY_MILLIS);
    assertThat(unrouted.get(0).refusedAtOnce()).as("refused by the unreachable route: %s", unrouted).isTrue();
    assertThat(unrouted).as("refused by the unreachable route, with its burst: %s", unrouted)
        .anyMatch(a -> a.outcome().equals("timed out"));
    assertThat(connects(ip("203.0.113.9"), 80, 20, BEFORE_SYN_RETRY_MILLIS)).as("routed to lo, so forwarded, so rejected by nft")
        .allMatch(Attempt::refusedAtOnce);
  }

  @Test
  void masqueradeMakesTheServerSeeTheRoutersAddress() throws Exception {
    assertThat(peerSeenByTheServer()).as("without the rule the server sees the client").isEqualTo(clientAddress);
    try (Nftables nft = routerNft()) {
      NftRuleset.masquerade(IpPrefix.parse("192.0.2.0/24"), "rs").applyTo(nft);
    }

    assertThat(peerSeenByTheServer()).isEqualTo(ROUTER_SERVER_SIDE);
  }

  /** Connects from the client to the server and returns the peer address the server accepted. */
  private InetAddress peerSeenByTheServer() throws Exception {
    try (Socket out = client.call(() -> {
          Socket s = new Socket();
          s.connect(new InetSocketAddress(SERVER, listener.getLocalPort()), 3_000);
          return s;
        });
        Socket in = listener.accept()) {
      assertThat(in.getPort()).isPositive();
      assertThat(out.isConnected()).isTrue();
      return in.getInetAddress();
    }
  }

  private static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
