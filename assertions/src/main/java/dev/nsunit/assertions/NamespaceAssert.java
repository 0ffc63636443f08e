package dev.nsunit.assertions;

import static dev.nsunit.assertions.error.ShouldBeListening.shouldBeListening;
import static dev.nsunit.assertions.error.ShouldBeListening.shouldNotBeListening;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveExactlyInterfaces;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveInterface;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveInterfaces;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveOnlyLoopback;
import static dev.nsunit.assertions.error.ShouldHaveRoute.shouldHaveRoute;
import static dev.nsunit.assertions.error.ShouldHaveRoute.shouldNotHaveRoute;
import static dev.nsunit.assertions.error.ShouldReach.shouldNotReach;
import static dev.nsunit.assertions.error.ShouldReach.shouldReach;
import static dev.nsunit.assertions.error.ShouldShareNetworkStack.shouldBeHostNamespace;
import static dev.nsunit.assertions.error.ShouldShareNetworkStack.shouldNotShareNetworkStack;
import static dev.nsunit.assertions.error.ShouldShareNetworkStack.shouldShareNetworkStack;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import dev.nsunit.model.NamespaceId;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.ProbeResult;
import dev.nsunit.model.Route;
import dev.nsunit.model.InetSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.assertj.core.error.ShouldNotBeNull;

/**
 * Assertions on one network namespace: its interfaces, routes and listening sockets (read once,
 * when the assert is created) and reachability from inside it (probed when each check runs).
 * Create it with {@link NetworkAssertions#assertThat(NetworkNamespace)} or
 * {@link NetworkSoftAssertions#assertThat(NetworkNamespace)}.
 *
 * <p>Every failure says what was expected and what was found, followed by the namespace's state as
 * {@code ip addr}, {@code ip route} and {@code ss -ltnu} would print it.
 */
public class NamespaceAssert extends AbstractNetworkAssert<NamespaceAssert, NetworkNamespace> {

  /** The payload of {@link #canReachUdp(String, int)}'s request. */
  public static final String DEFAULT_UDP_REQUEST = "nsunit-probe";

  /**
   * Reads {@code namespace}'s state now. Prefer {@link NetworkAssertions#assertThat}; this is
   * public for AssertJ's soft-assertion proxies.
   */
  public NamespaceAssert(NetworkNamespace namespace) {
    super(namespace, NamespaceAssert.class);
    context = new AssertContext(namespace, namespace == null ? null : namespace.snapshot());
    context.root = this;
  }

  /**
   * The state every non-probe check of this assert reads: taken when the assert was created. Tests
   * can pass it to the error-message factories to build the exact expected message.
   */
  public NetworkSnapshot snapshot() {
    return context().snapshot;
  }

  private boolean absent() {
    if (actual != null) {
      return false;
    }
    report(ShouldNotBeNull.shouldNotBeNull());
    return true;
  }

  private String name() {
    return context().name;
  }

  // ---------------------------------------------------------------- waiting

  /**
   * Returns an assert whose every check is retried until it passes or {@code timeout} has passed,
   * for state that settles asynchronously: a listener appearing, an interface coming up, a route
   * arriving, a partition healing. Each try reads the namespace again (a new snapshot, new probes)
   * and replays the whole chain, so navigation waits too: {@code within(...).hasInterface("eth1")
   * .isUp()} waits for eth1 to exist and then to be up. Every assertion of this module works this
   * way, AssertJ's inherited ones included. All checks of one chain share the deadline, which
   * starts with the first check.
   *
   * <pre>{@code
   * assertThat(ns).within(Duration.ofSeconds(5)).canReach("172.17.0.1");
   * assertThat(ns).within(Duration.ofSeconds(5)).isListeningOn(8080);
   * assertThat(ns).within(Duration.ofSeconds(5)).hasInterface("eth0").isUp()
   *     .and().hasDefaultRoute().via("172.17.0.1");
   * }</pre>
   *
   * <p>On time-out the last try's failure is thrown, with its evidence (the namespace's state as
   * {@code ip addr}, {@code ip route} and {@code ss} print it), followed by how many tries were
   * made and how long they took. Between tries it waits 10 ms, doubling up to 200 ms. A probe's
   * own timeout ({@link #withTimeout}) applies to each try. Not for soft assertions.
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   * @throws UnsupportedOperationException in soft assertions, which collect instead of failing
   */
  public NamespaceAssert within(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout is null; pass how long to keep trying, e.g. Duration.ofSeconds(5)");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("within(" + timeout + "): give a positive time to keep trying, e.g."
          + " Duration.ofSeconds(5)");
    }
    if (context().soft != null) {
      throw new UnsupportedOperationException("within(...) retries until a check passes, and soft assertions collect"
          + " failures instead of throwing them; use NetworkAssertions.assertThat(ns).within(...) for the checks that"
          + " must wait");
    }
    return Retrying.root(actual, timeout, context().timeout, info.description());
  }

  // ---------------------------------------------------------------- interfaces

  /**
   * Verifies that the namespace has an interface called {@code name} and navigates to it.
   *
   * <pre>{@code
   * // passes: every namespace has lo
   * assertThat(NetworkNamespace.create()).hasInterface("lo").isUp();
   * // fails: --network none has no eth0
   * assertThat(NetworkNamespace.create()).hasInterface("eth0");
   * }</pre>
   *
   * @return an assert on that interface; {@link InterfaceAssert#and()} comes back here
   */
  public InterfaceAssert hasInterface(String name) {
    Objects.requireNonNull(name, "interface name");
    Link link = null;
    if (!absent()) {
      Optional<Link> found = snapshot().link(name);
      if (found.isEmpty()) {
        report(shouldHaveInterface(name(), name, snapshot()));
      } else {
        link = found.get();
      }
    }
    return navigate(InterfaceAssert.class, Link.class, link, InterfaceAssert::new);
  }

  /**
   * Verifies that the namespace has only a loopback interface, like {@code docker run --network
   * none}.
   *
   * <pre>{@code
   * // passes
   * assertThat(NetworkNamespace.create()).hasOnlyLoopback();
   * // fails: a bridge endpoint also has eth0
   * assertThat(web).hasOnlyLoopback();
   * }</pre>
   */
  public NamespaceAssert hasOnlyLoopback() {
    if (absent()) {
      return myself;
    }
    List<String> others = snapshot().links().stream().filter(l -> !l.isLoopback()).map(Link::name)
        .collect(Collectors.toList());
    if (!others.isEmpty()) {
      report(shouldHaveOnlyLoopback(name(), others, snapshot()));
    }
    return myself;
  }

  /**
   * Verifies that the namespace has all of the named interfaces, and maybe others.
   *
   * <pre>{@code
   * // passes: a bridge endpoint has lo and eth0
   * assertThat(web).hasInterfaces("eth0", "lo");
   * // fails: no eth1
   * assertThat(web).hasInterfaces("eth0", "eth1");
   * }</pre>
   */
  public NamespaceAssert hasInterfaces(String... names) {
    if (absent()) {
      return myself;
    }
    List<String> expected = Arrays.asList(names);
    List<String> missing = new ArrayList<>(expected);
    missing.removeAll(snapshot().linkNames());
    if (!missing.isEmpty()) {
      report(shouldHaveInterfaces(name(), expected, missing, snapshot()));
    }
    return myself;
  }

  /**
   * Verifies that the namespace has exactly the named interfaces, in any order.
   *
   * <pre>{@code
   * // passes
   * assertThat(web).hasExactlyInterfaces("lo", "eth0");
   * // fails: eth0 is not expected
   * assertThat(web).hasExactlyInterfaces("lo");
   * }</pre>
   */
  public NamespaceAssert hasExactlyInterfaces(String... names) {
    if (absent()) {
      return myself;
    }
    List<String> expected = Arrays.asList(names);
    List<String> actualNames = snapshot().linkNames();
    List<String> missing = new ArrayList<>(expected);
    missing.removeAll(actualNames);
    List<String> unexpected = new ArrayList<>(actualNames);
    unexpected.removeAll(expected);
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      report(shouldHaveExactlyInterfaces(name(), expected, missing, unexpected, snapshot()));
    }
    return myself;
  }

  // ---------------------------------------------------------------- routes

  /**
   * Verifies that the namespace has an IPv4 default route and navigates to it (the one with the
   * lowest metric, which the kernel uses).
   *
   * <pre>{@code
   * // passes: a bridge endpoint routes via the bridge
   * assertThat(web).hasDefaultRoute().via("172.17.0.1").dev("eth0");
   * // fails: --network none has no routes
   * assertThat(NetworkNamespace.create()).hasDefaultRoute();
   * }</pre>
   */
  public RouteAssert hasDefaultRoute() {
    return route("default", r -> !r.ipv6() && r.isDefault());
  }

  /**
   * Verifies that the namespace has an IPv6 default route and navigates to it.
   *
   * <pre>{@code
   * // passes after: ip -6 route add default via fd00::1
   * assertThat(ns).hasIpv6DefaultRoute().via("fd00::1");
   * // fails: --network none has none
   * assertThat(NetworkNamespace.create()).hasIpv6DefaultRoute();
   * }</pre>
   */
  public RouteAssert hasIpv6DefaultRoute() {
    return route("default (IPv6)", r -> r.ipv6() && r.isDefault());
  }

  /**
   * Verifies that the namespace has a route to exactly {@code cidr} (IPv4 or IPv6) in its main
   * table and navigates to it.
   *
   * <pre>{@code
   * // passes: the kernel adds the subnet route with the address
   * assertThat(web).hasRoute("172.17.0.0/16").dev("eth0").scope("link").src("172.17.0.2");
   * // fails: no such route
   * assertThat(web).hasRoute("10.0.0.0/8");
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code cidr} is not an address prefix
   */
  public RouteAssert hasRoute(String cidr) {
    IpPrefix prefix = IpPrefix.parse(cidr);
    if (prefix.length() == 0) {
      return prefix.isIpv6() ? hasIpv6DefaultRoute() : hasDefaultRoute();
    }
    return route(new IpPrefix(prefix.network(), prefix.length()).toString(), matching(prefix));
  }

  /**
   * Verifies that the namespace has no default route, neither IPv4 nor IPv6.
   *
   * <pre>{@code
   * // passes
   * assertThat(NetworkNamespace.create()).hasNoDefaultRoute();
   * // fails: a bridge endpoint has one
   * assertThat(web).hasNoDefaultRoute();
   * }</pre>
   */
  public NamespaceAssert hasNoDefaultRoute() {
    return noRoute("default", Route::isDefault);
  }

  /**
   * Verifies that the namespace has no route to exactly {@code cidr}.
   *
   * <pre>{@code
   * // passes
   * assertThat(web).hasNoRoute("10.0.0.0/8");
   * // fails
   * assertThat(web).hasNoRoute("172.17.0.0/16");
   * }</pre>
   */
  public NamespaceAssert hasNoRoute(String cidr) {
    IpPrefix prefix = IpPrefix.parse(cidr);
    return noRoute(cidr, prefix.length() == 0 ? r -> r.isDefault() && r.ipv6() == prefix.isIpv6() : matching(prefix));
  }

  private static Predicate<Route> matching(IpPrefix prefix) {
    return r -> !r.isDefault() && r.ipv6() == prefix.isIpv6() && r.destination().length() == prefix.length()
        && r.destination().network().equals(prefix.network());
  }

  private RouteAssert route(String destination, Predicate<Route> match) {
    Route route = null;
    if (!absent()) {
      Optional<Route> best = snapshot().routes().stream().filter(match)
          .min(Comparator.comparingLong(r -> Math.max(0, r.metric())));
      if (best.isEmpty()) {
        report(shouldHaveRoute(name(), destination, snapshot().routes(), snapshot()));
      } else {
        route = best.get();
      }
    }
    return navigate(RouteAssert.class, Route.class, route, RouteAssert::new);
  }

  private NamespaceAssert noRoute(String destination, Predicate<Route> match) {
    if (absent()) {
      return myself;
    }
    List<Route> found = snapshot().routes().stream().filter(match).collect(Collectors.toList());
    if (!found.isEmpty()) {
      report(shouldNotHaveRoute(name(), destination, found, snapshot()));
    }
    return myself;
  }

  // ---------------------------------------------------------------- reachability

  /**
   * Sets how long each later reachability probe of this chain waits for an answer. The default is
   * {@link NetworkAssertions#DEFAULT_PROBE_TIMEOUT}.
   *
   * <pre>{@code
   * assertThat(ns).withTimeout(Duration.ofMillis(500)).cannotReach("192.0.2.99")
   *     .withReason(Reason.TIMED_OUT);
   * }</pre>
   *
   * @throws IllegalArgumentException if {@code timeout} is not positive
   */
  public NamespaceAssert withTimeout(Duration timeout) {
    if (timeout == null || timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("a probe timeout must be positive, got " + timeout);
    }
    context().timeout = timeout;
    return myself;
  }

  /**
   * Verifies that an ICMP echo sent from inside the namespace to {@code address} is answered.
   *
   * <pre>{@code
   * // passes: the peer of a veth answers
   * assertThat(a).canReach("192.0.2.2");
   * // fails with "Network is unreachable": --network none has no route
   * assertThat(NetworkNamespace.create()).canReach("172.17.0.1");
   * }</pre>
   *
   * @param address an IPv4 or IPv6 literal; names are never resolved
   */
  public NamespaceAssert canReach(String address) {
    InetAddress target = InetAddresses.parse(address);
    return expectReached(() -> actual.ping(target, context().timeout));
  }

  /**
   * Verifies that a TCP connection from inside the namespace to {@code address:port} is accepted.
   *
   * <pre>{@code
   * // passes while a server listens on 192.0.2.2:80
   * assertThat(a).canReach("192.0.2.2", 80);
   * // fails with "Connection refused" when nothing listens there
   * assertThat(a).canReach("192.0.2.2", 81);
   * }</pre>
   */
  public NamespaceAssert canReach(String address, int tcpPort) {
    InetAddress target = InetAddresses.parse(address);
    return expectReached(() -> actual.connectTcp(target, tcpPort, context().timeout));
  }

  /**
   * Verifies that a UDP datagram ({@value #DEFAULT_UDP_REQUEST}) sent from inside the namespace
   * to {@code address:port} gets a datagram back.
   *
   * <pre>{@code
   * // passes while a UDP echo server runs on 192.0.2.2:53
   * assertThat(a).canReachUdp("192.0.2.2", 53);
   * // fails with "Connection refused" (ICMP port unreachable) when nothing is bound there
   * assertThat(a).canReachUdp("192.0.2.2", 54);
   * }</pre>
   */
  public NamespaceAssert canReachUdp(String address, int port) {
    return canReachUdp(address, port, DEFAULT_UDP_REQUEST.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * Like {@link #canReachUdp(String, int)} with a request of your own, for servers that answer
   * only well-formed requests (a DNS query, a STUN binding request...).
   *
   * <pre>{@code
   * // passes if the server answers this request
   * assertThat(a).canReachUdp("192.0.2.2", 53, dnsQuery);
   * // fails (timed out) if it ignores it
   * assertThat(a).canReachUdp("192.0.2.2", 53, new byte[] {0});
   * }</pre>
   */
  public NamespaceAssert canReachUdp(String address, int port, byte[] request) {
    InetAddress target = InetAddresses.parse(address);
    byte[] copy = request.clone();
    return expectReached(() -> actual.exchangeUdp(target, port, copy, context().timeout));
  }

  /**
   * Verifies that an ICMP echo from inside the namespace to {@code address} is not answered, and
   * navigates to why.
   *
   * <pre>{@code
   * // passes, and the reason is "Network is unreachable"
   * assertThat(NetworkNamespace.create()).cannotReach("172.17.0.1")
   *     .withReason(Reason.NETWORK_UNREACHABLE);
   * // fails: the namespace's own loopback answers
   * assertThat(NetworkNamespace.create()).cannotReach("127.0.0.1");
   * }</pre>
   */
  public UnreachableAssert cannotReach(String address) {
    InetAddress target = InetAddresses.parse(address);
    return expectFailed(() -> actual.ping(target, context().timeout));
  }

  /**
   * Verifies that a TCP connection from inside the namespace to {@code address:port} fails, and
   * navigates to why.
   *
   * <pre>{@code
   * // passes: nothing listens on port 81, the peer answers with a RST
   * assertThat(a).cannotReach("192.0.2.2", 81).withReason(Reason.CONNECTION_REFUSED);
   * // fails while a server listens on 192.0.2.2:80
   * assertThat(a).cannotReach("192.0.2.2", 80);
   * }</pre>
   */
  public UnreachableAssert cannotReach(String address, int tcpPort) {
    InetAddress target = InetAddresses.parse(address);
    return expectFailed(() -> actual.connectTcp(target, tcpPort, context().timeout));
  }

  /**
   * Verifies that a UDP request from inside the namespace to {@code address:port} gets no
   * response, and navigates to why.
   *
   * <pre>{@code
   * // passes: nothing is bound there, the peer answers ICMP port unreachable
   * assertThat(a).cannotReachUdp("192.0.2.2", 54).withReason(Reason.CONNECTION_REFUSED);
   * // fails while a UDP echo server runs on 192.0.2.2:53
   * assertThat(a).cannotReachUdp("192.0.2.2", 53);
   * }</pre>
   */
  public UnreachableAssert cannotReachUdp(String address, int port) {
    InetAddress target = InetAddresses.parse(address);
    byte[] request = DEFAULT_UDP_REQUEST.getBytes(StandardCharsets.US_ASCII);
    return expectFailed(() -> actual.exchangeUdp(target, port, request, context().timeout));
  }

  private NamespaceAssert expectReached(Supplier<ProbeResult> probe) {
    if (absent()) {
      return myself;
    }
    ProbeResult result = probe.get();
    if (!result.isReached()) {
      report(shouldReach(name(), result, snapshot()));
    }
    return myself;
  }

  private UnreachableAssert expectFailed(Supplier<ProbeResult> probe) {
    ProbeResult failure = null;
    if (!absent()) {
      ProbeResult result = probe.get();
      if (result.isReached()) {
        report(shouldNotReach(name(), result, snapshot()));
      } else {
        failure = result;
      }
    }
    return navigate(UnreachableAssert.class, ProbeResult.class, failure, UnreachableAssert::new);
  }

  // ---------------------------------------------------------------- listening sockets

  /**
   * Verifies that a TCP socket listens on {@code port} on any address: IPv4, IPv6 or dual-stack,
   * wildcard or specific. Navigates to the (first) listener.
   *
   * <pre>{@code
   * // passes while redis listens
   * assertThat(ns).isListeningOn(6379);
   * // fails: nothing on 6380
   * assertThat(ns).isListeningOn(6380);
   * }</pre>
   */
  public ListenerAssert isListeningOn(int port) {
    return listener(InetSocket.Protocol.TCP, null, port);
  }

  /**
   * Verifies that a TCP socket listening on {@code port} accepts connections to {@code address}:
   * one bound to that address, to the wildcard of its family, or a dual-stack {@code [::]}
   * socket for an IPv4 address.
   *
   * <pre>{@code
   * // passes for a server bound to 0.0.0.0:8080, or to 127.0.0.1:8080
   * assertThat(ns).isListeningOn("127.0.0.1", 8080);
   * // fails for a server bound to 127.0.0.1:8080 only
   * assertThat(ns).isListeningOn("192.0.2.1", 8080);
   * }</pre>
   */
  public ListenerAssert isListeningOn(String address, int port) {
    return listener(InetSocket.Protocol.TCP, InetAddresses.parse(address), port);
  }

  /**
   * Verifies that a UDP socket is bound to {@code port} on any address.
   *
   * <pre>{@code
   * // passes while a DNS server runs
   * assertThat(ns).isListeningOnUdp(53);
   * // fails: a TCP listener on 53 does not count
   * assertThat(tcpOnly).isListeningOnUdp(53);
   * }</pre>
   */
  public ListenerAssert isListeningOnUdp(int port) {
    return listener(InetSocket.Protocol.UDP, null, port);
  }

  /**
   * Verifies that a UDP socket bound to {@code port} takes datagrams for {@code address}.
   *
   * <pre>{@code
   * // passes for a socket bound to 0.0.0.0:53
   * assertThat(ns).isListeningOnUdp("127.0.0.1", 53);
   * // fails for a socket bound to 127.0.0.1:53 only
   * assertThat(ns).isListeningOnUdp("192.0.2.1", 53);
   * }</pre>
   */
  public ListenerAssert isListeningOnUdp(String address, int port) {
    return listener(InetSocket.Protocol.UDP, InetAddresses.parse(address), port);
  }

  /**
   * Verifies that no TCP socket listens on {@code port}, on any address.
   *
   * <pre>{@code
   * // passes in a fresh namespace
   * assertThat(NetworkNamespace.create()).isNotListeningOn(6379);
   * // fails while redis listens
   * assertThat(ns).isNotListeningOn(6379);
   * }</pre>
   */
  public NamespaceAssert isNotListeningOn(int port) {
    return notListening(InetSocket.Protocol.TCP, null, port);
  }

  /**
   * Verifies that no TCP listener on {@code port} accepts connections to {@code address}.
   *
   * <pre>{@code
   * // passes for a server bound to 127.0.0.1:8080 only
   * assertThat(ns).isNotListeningOn("192.0.2.1", 8080);
   * // fails for a server bound to 0.0.0.0:8080
   * assertThat(ns).isNotListeningOn("192.0.2.1", 8080);
   * }</pre>
   */
  public NamespaceAssert isNotListeningOn(String address, int port) {
    return notListening(InetSocket.Protocol.TCP, InetAddresses.parse(address), port);
  }

  /**
   * Verifies that no UDP socket is bound to {@code port}.
   *
   * <pre>{@code
   * // passes in a fresh namespace
   * assertThat(NetworkNamespace.create()).isNotListeningOnUdp(53);
   * // fails while a DNS server runs
   * assertThat(ns).isNotListeningOnUdp(53);
   * }</pre>
   */
  public NamespaceAssert isNotListeningOnUdp(int port) {
    return notListening(InetSocket.Protocol.UDP, null, port);
  }

  private List<InetSocket> sockets(InetSocket.Protocol protocol, InetAddress address, int port) {
    return snapshot().sockets().stream()
        .filter(s -> s.protocol() == protocol && s.localPort() == port)
        .filter(s -> protocol != InetSocket.Protocol.TCP || s.isListening())
        .filter(s -> address == null || accepts(s, address))
        .collect(Collectors.toList());
  }

  /** Whether a socket bound as {@code s} receives traffic for {@code address}. */
  static boolean accepts(InetSocket s, InetAddress address) {
    if (s.local().equals(address) || s.localUnmapped().equals(address)) {
      return true;
    }
    if (!s.isWildcard()) {
      return false;
    }
    boolean v6 = address instanceof Inet6Address;
    return s.isIpv6() ? v6 || !s.v6Only() : !v6;
  }

  private static String describe(InetSocket.Protocol protocol, InetAddress address, int port) {
    String host = address == null ? "*" : address instanceof Inet6Address
        ? "[" + InetAddresses.format(address) + "]" : InetAddresses.format(address);
    return protocol + " on " + host + ":" + port;
  }

  private ListenerAssert listener(InetSocket.Protocol protocol, InetAddress address, int port) {
    InetSocket socket = null;
    if (!absent()) {
      List<InetSocket> found = sockets(protocol, address, port);
      if (found.isEmpty()) {
        report(shouldBeListening(name(), describe(protocol, address, port), snapshot()));
      } else {
        socket = found.get(0);
      }
    }
    return navigate(ListenerAssert.class, InetSocket.class, socket, ListenerAssert::new);
  }

  private NamespaceAssert notListening(InetSocket.Protocol protocol, InetAddress address, int port) {
    if (absent()) {
      return myself;
    }
    List<InetSocket> found = sockets(protocol, address, port);
    if (!found.isEmpty()) {
      report(shouldNotBeListening(name(), describe(protocol, address, port), found, snapshot()));
    }
    return myself;
  }

  // ---------------------------------------------------------------- identity

  /**
   * Verifies that both handles name the same kernel namespace: the same interfaces, addresses and
   * ports, as with Docker's {@code --network container:<other>}.
   *
   * <pre>{@code
   * // passes: a second handle on the same namespace
   * assertThat(NetworkNamespace.open(ns.path())).sharesNetworkStackWith(ns);
   * // fails: two separate namespaces
   * assertThat(NetworkNamespace.create()).sharesNetworkStackWith(ns);
   * }</pre>
   */
  public NamespaceAssert sharesNetworkStackWith(NetworkNamespace other) {
    Objects.requireNonNull(other, "other namespace");
    if (!absent() && !actual.sharesStackWith(other)) {
      report(shouldShareNetworkStack(name(), actual.id(), other.toString(), other.id()));
    }
    return myself;
  }

  /**
   * Verifies that the two handles name different kernel namespaces.
   *
   * <pre>{@code
   * // passes
   * assertThat(NetworkNamespace.create()).doesNotShareNetworkStackWith(ns);
   * // fails: the same namespace
   * assertThat(NetworkNamespace.open(ns.path())).doesNotShareNetworkStackWith(ns);
   * }</pre>
   */
  public NamespaceAssert doesNotShareNetworkStackWith(NetworkNamespace other) {
    Objects.requireNonNull(other, "other namespace");
    if (!absent() && actual.sharesStackWith(other)) {
      report(shouldNotShareNetworkStack(name(), other.toString(), actual.id()));
    }
    return myself;
  }

  /**
   * Verifies that this is the JVM's own namespace, as with Docker's {@code --network host}.
   *
   * <pre>{@code
   * // passes
   * assertThat(NetworkNamespace.host()).isHostNamespace();
   * // fails
   * assertThat(NetworkNamespace.create()).isHostNamespace();
   * }</pre>
   */
  public NamespaceAssert isHostNamespace() {
    return host(true);
  }

  /**
   * Verifies that this is not the JVM's own namespace.
   *
   * <pre>{@code
   * // passes
   * assertThat(NetworkNamespace.create()).isNotHostNamespace();
   * // fails
   * assertThat(NetworkNamespace.host()).isNotHostNamespace();
   * }</pre>
   */
  public NamespaceAssert isNotHostNamespace() {
    return host(false);
  }

  private NamespaceAssert host(boolean expected) {
    if (absent()) {
      return myself;
    }
    if (actual.isHost() != expected) {
      NamespaceId hostId;
      try (NetworkNamespace host = NetworkNamespace.host()) {
        hostId = host.id();
      }
      report(shouldBeHostNamespace(name(), actual.id(), hostId, expected));
    }
    return myself;
  }
}
