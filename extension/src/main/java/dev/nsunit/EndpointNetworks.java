package dev.nsunit;

import dev.nsunit.internal.dns.DnsServer;
import dev.nsunit.internal.dns.NamespaceNames;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Link;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * The lab networks one namespace is connected to, in interface order: what {@code docker
 * inspect} shows under {@code NetworkSettings.Networks}. One per namespace, whichever handles
 * refer to it; kept until the namespace is released.
 */
final class EndpointNetworks {
  private static final Map<Netns, EndpointNetworks> BY_NAMESPACE = new ConcurrentHashMap<>();

  static {
    NamespaceNames.install(() -> ofCurrentThread().map(EndpointNetworks::asker));
  }

  /** One interface on one network, of the endpoint called {@code endpointName}. */
  record Joined(LabNetwork network, Lab.Attachment attachment, String endpointName, List<String> aliases) {
    /**
     * Whether {@code name} (lower case, no final dot) names this endpoint on its network: its name
     * or an alias, alone or followed by the network's name ({@code db.backend}), as Docker answers.
     */
    boolean answersTo(String name) {
      String suffix = "." + network.name().toLowerCase(Locale.ROOT);
      String bare = name.endsWith(suffix) ? name.substring(0, name.length() - suffix.length()) : null;
      for (String n : names()) {
        if (n.equalsIgnoreCase(name) || n.equalsIgnoreCase(bare)) {
          return true;
        }
      }
      return false;
    }

    private List<String> names() {
      List<String> out = new ArrayList<>(aliases.size() + 1);
      out.add(endpointName);
      out.addAll(aliases);
      return out;
    }

    NetworkAttachment view() {
      Lab.Bridge b = attachment.bridge();
      return new NetworkAttachment(network.name(), attachment.interfaceName(), attachment.address(),
          b.subnet().length(), b.gateway(), aliases, attachment.address6());
    }
  }

  private final Netns netns;
  private final List<Joined> joined = new ArrayList<>();
  private DnsServer.Served dns; // guarded by this; opened with the first network that has names
  private final List<PortPublishing.Published> published = new ArrayList<>(); // guarded by this
  private final List<Fault> faults = new ArrayList<>(); // guarded by this; healed first when the scope ends
  private boolean hadFaults; // guarded by this

  private EndpointNetworks(Netns netns) {
    this.netns = netns;
  }

  /** The networks of {@code netns}, created empty on first use. */
  static EndpointNetworks of(Netns netns) {
    return BY_NAMESPACE.computeIfAbsent(netns, EndpointNetworks::new);
  }

  /** The endpoint that has {@code alias} on {@code network}, by name, if any. */
  static Optional<String> holderOfAlias(LabNetwork network, String alias) {
    for (EndpointNetworks n : BY_NAMESPACE.values()) {
      synchronized (n) {
        for (Joined j : n.joined) {
          if (j.network().name().equals(network.name()) && j.aliases().contains(alias)) {
            return Optional.of(j.attachment().endpoint().toString());
          }
        }
      }
    }
    return Optional.empty();
  }

  /**
   * The addresses {@code name} has for code in {@code asker}, as Docker's embedded DNS answers:
   * endpoints' names and aliases on the user-defined networks the asker is on, in the asker's
   * interface order; empty if the name is unknown there. Case does not matter, nor a final dot.
   */
  static Optional<List<InetAddress>> resolve(Netns asker, String name) {
    String wanted = normalize(name);
    Set<InetAddress> found = new LinkedHashSet<>();
    for (Joined j : peersOf(asker)) {
      if (j.answersTo(wanted)) {
        found.add(j.attachment().address());
        j.attachment().address6().ifPresent(found::add);
      }
    }
    return found.isEmpty() ? Optional.empty() : Optional.of(List.copyOf(found));
  }

  /** The endpoint name {@code address} has for code in {@code asker}, if it is on a network they share. */
  static Optional<String> nameOf(Netns asker, InetAddress address) {
    return peersOf(asker).stream().filter(j -> j.attachment().address().equals(address)
        || j.attachment().address6().filter(address::equals).isPresent()).map(Joined::endpointName).findFirst();
  }

  /**
   * What the asker can look up, for a message that says why a name is unknown: per network with
   * names, the names on it, e.g. {@code backend: [api, redis [db]]}.
   */
  static String namesSeenBy(Netns asker) {
    Map<String, List<String>> byNetwork = new LinkedHashMap<>();
    for (Joined j : peersOf(asker)) {
      byNetwork.computeIfAbsent(j.network().name(), n -> new ArrayList<>())
          .add(j.endpointName() + (j.aliases().isEmpty() ? "" : " " + j.aliases()));
    }
    List<String> out = new ArrayList<>();
    byNetwork.forEach((network, names) -> {
      names.sort(null);
      out.add(network + ": " + names);
    });
    return String.join("; ", out);
  }

  /**
   * Every interface, of any endpoint (the asker's own included), on the networks with names that
   * {@code asker} is on, grouped by the asker's interface order.
   */
  private static List<Joined> peersOf(Netns asker) {
    List<Joined> out = new ArrayList<>();
    for (Joined mine : namedNetworksOf(asker)) {
      for (EndpointNetworks other : BY_NAMESPACE.values()) {
        for (Joined j : other.snapshot()) {
          if (j.network().name().equals(mine.network().name())) {
            out.add(j);
          }
        }
      }
    }
    return out;
  }

  /** The namespace nsunit made whose network namespace the calling thread is in, if any. */
  static Optional<Netns> ofCurrentThread() {
    if (BY_NAMESPACE.isEmpty()) {
      return Optional.empty();
    }
    long inode = Netns.currentThreadNamespaceInode();
    return BY_NAMESPACE.keySet().stream().filter(n -> n.id().inode() == inode && !n.isClosed()).findFirst();
  }

  private static List<Joined> namedNetworksOf(Netns asker) {
    EndpointNetworks mine = BY_NAMESPACE.get(asker);
    return mine == null ? List.of() : mine.snapshot().stream().filter(j -> j.network().hasNames()).toList();
  }

  private static String normalize(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  synchronized List<Joined> snapshot() {
    return List.copyOf(joined);
  }

  /** What {@code netns} is connected to, in interface order; empty if nothing. */
  static List<NetworkAttachment> viewOf(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.get(netns);
    return n == null ? List.of() : n.view();
  }

  /**
   * Ends every attachment of {@code netns} (ports cut off, addresses returned once the ports are
   * gone), before the namespace itself is closed. Idempotent.
   */
  static void closeAll(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.remove(netns);
    if (n != null) {
      n.closeAttachments();
    }
  }

  synchronized List<NetworkAttachment> view() {
    return joined.stream().map(Joined::view).collect(Collectors.toList());
  }

  synchronized Optional<Joined> on(LabNetwork network) {
    return joined.stream().filter(j -> j.network().name().equals(network.name())).findFirst();
  }

  /** Records an attachment made elsewhere (an endpoint's {@code eth0}). */
  synchronized void add(Joined j) {
    joined.add(j);
    serveNamesIfNeeded(j.network());
  }

  /**
   * Starts the endpoint's DNS server at 127.0.0.11:53 when it joins its first network with names,
   * as Docker does for a container on a user-defined network.
   */
  private void serveNamesIfNeeded(LabNetwork network) {
    if (dns != null || !network.hasNames()) {
      return;
    }
    DatagramChannel channel = netns.setUp(() -> {
      DatagramChannel c = DatagramChannel.open(StandardProtocolFamily.INET);
      try {
        return c.bind(DnsServer.ADDRESS);
      } catch (IOException | RuntimeException e) {
        c.close();
        throw e;
      }
    });
    dns = DnsServer.serve(channel, asker(netns));
  }

  /** Names as code in {@code netns} sees them: what its DNS server and the JVM's resolver answer. */
  private static NamespaceNames.Asker asker(Netns netns) {
    return new NamespaceNames.Asker() {
      @Override
      public Optional<List<InetAddress>> addressesOf(String name) {
        return resolve(netns, name);
      }

      @Override
      public Optional<String> nameOf(InetAddress address) {
        return EndpointNetworks.nameOf(netns, address);
      }

      @Override
      public String description() {
        return "network namespace " + netns;
      }

      @Override
      public String namesSeen() {
        return namesSeenBy(netns);
      }
    };
  }

  /**
   * Connects the namespace to {@code network} as the next free {@code ethN}; the interface gets
   * the default route if the network is not internal and the namespace has no default route yet.
   */
  synchronized NetworkAttachment connect(Lab lab, LabNetwork network, String endpointName,
      InetAddress fixedAddress, List<String> aliases, int mtu) {
    return connect(lab, network, endpointName, fixedAddress, aliases, mtu, null);
  }

  /** Like {@link #connect(Lab, LabNetwork, String, InetAddress, List, int)} on lab host {@code labHost} (overlay networks; null: the JVM's). */
  synchronized NetworkAttachment connect(Lab lab, LabNetwork network, String endpointName,
      InetAddress fixedAddress, List<String> aliases, int mtu, String labHost) {
    String name = nextInterfaceName();
    boolean defaultRoute = !network.labBridge().isInternal() && !hasDefaultRoute();
    Lab.Attachment a = lab.connect(netns, false, endpointName, network.labBridge(), name, fixedAddress, mtu, defaultRoute,
        labHost);
    Joined j = new Joined(network, a, endpointName, List.copyOf(aliases));
    joined.add(j);
    serveNamesIfNeeded(network);
    return j.view();
  }

  /**
   * Disconnects the namespace from {@code network} now: the interface and its routes go; if it
   * carried the default route, the first remaining interface on a network that is not internal
   * gets it.
   *
   * @return false if the namespace was not connected to it
   */
  synchronized boolean disconnect(LabNetwork network) {
    Optional<Joined> found = on(network);
    if (found.isEmpty()) {
      return false;
    }
    joined.remove(found.get());
    found.get().attachment().detach();
    if (!hasDefaultRoute()) {
      joined.stream().filter(j -> !j.attachment().bridge().isInternal() && !j.attachment().bridge().driver()
          .equals("overlay")).findFirst().ifPresent(j -> { // an overlay has no gateway
        netns.rtnetlink().addRoute(RouteRequest.defaultVia(j.attachment().bridge().gateway()));
        j.attachment().bridge().gateway6().ifPresent(g -> netns.rtnetlink().addRoute(RouteRequest.defaultVia(g)));
      });
    }
    return true;
  }

  /**
   * Publishes {@code spec}: connections to the host side reach this endpoint's address on its
   * first network, as it is when each connection comes.
   *
   * @throws IllegalArgumentException if the endpoint publishes that port already, or the host port is taken
   */
  synchronized PublishedPort publish(PortPublishing.Spec spec, String endpoint) {
    for (PortPublishing.Published p : published) {
      if (p.view().port() == spec.port()) {
        throw new IllegalArgumentException(endpoint + " publishes port " + spec.port() + " already, on " + p.view()
            + "; a port is published once per endpoint here. Use published(" + spec.port() + ").");
      }
    }
    PortPublishing.Published p = PortPublishing.bind(spec, endpoint, () -> firstAddress(netns));
    published.add(p);
    return p.view();
  }

  /** Records a fault that touches this endpoint, to heal it when the endpoint's scope ends. */
  synchronized void addFault(Fault fault) {
    faults.removeIf(Fault::isHealed);
    faults.add(fault);
    hadFaults = true;
  }

  /** What the faults in effect on {@code netns} do, in the order they were made. */
  static List<String> faultsOf(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.get(netns);
    if (n == null) {
      return List.of();
    }
    synchronized (n) {
      return n.faults.stream().filter(f -> !f.isHealed()).map(Fault::description).toList();
    }
  }

  /** Records ports published for this endpoint before it was built. */
  synchronized void adopt(List<PortPublishing.Published> ports) {
    published.addAll(ports);
  }

  /** The ports this endpoint publishes. */
  static List<PublishedPort> publishedOf(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.get(netns);
    if (n == null) {
      return List.of();
    }
    synchronized (n) {
      return n.published.stream().map(PortPublishing.Published::view).toList();
    }
  }

  /** Where published connections go: the address on the first network, if connected to any. */
  static Optional<InetAddress> firstAddress(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.get(netns);
    return n == null ? Optional.empty() : n.snapshot().stream().findFirst().map(j -> j.attachment().address());
  }

  private synchronized void closeAttachments() {
    RuntimeException failure = null;
    for (Fault f : faults) {
      try {
        f.close(); // first: a partition's rules in other endpoints must not outlive this scope
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    faults.clear();
    if (!netns.isClosed() && (hadFaults || netns.hasSockDiag())) {
      // The scope has ended, so end the TCP connections left in it. A connection closed at the
      // end (a client pool closed in the test, a server stopped in @AfterAll) is an orphan still
      // exchanging FINs with its peer; when the peer's namespace ends meanwhile the last FIN or
      // ACK goes nowhere, and it retransmits for minutes, keeping this namespace and its veth
      // alive (seen with Apache HttpClient's pool and a class-level server endpoint on JDK 25).
      // A fault leaves such sockets too (orphans, or ones whose close waits for a blocked
      // thread). Without a fault, only where the namespace's sock_diag socket is open already,
      // as it is for every endpoint of a test (pooled, or opened by the socket-leak check):
      // opening one through the maker for each of the hundreds of endpoints a program closes (a
      // star of 500) cost 0.3 s.
      try {
        long deadline = System.nanoTime() + 200_000_000L;
        int ended = netns.inspect(() -> netns.sockDiag().destroyConnections());
        if (hadFaults) {
          // and again 10 ms later, until a pass finds none (at most 200 ms): a client library
          // whose close() returned may still be closing its sockets on a thread of its own, and a
          // socket it closes after the first pass would retransmit its FIN from here for minutes
          while (ended > 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(10_000_000L);
            ended = netns.inspect(() -> netns.sockDiag().destroyConnections());
          }
          LockSupport.parkNanos(10_000_000L);
          netns.inspect(() -> netns.sockDiag().destroyConnections());
        }
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
    }
    for (PortPublishing.Published p : published) {
      try {
        p.close(); // first: no new connection is relayed into an endpoint that is going
      } catch (RuntimeException e) {
        failure = e;
      }
    }
    published.clear();
    if (dns != null) {
      try {
        dns.close(); // its socket holds the namespace
      } catch (RuntimeException e) {
        failure = failure == null ? e : failure;
      }
      dns = null;
    }
    for (Joined j : joined) {
      try {
        j.attachment().close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    joined.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private String nextInterfaceName() {
    Set<String> names = netns.rtnetlink().links().stream().map(Link::name).collect(Collectors.toSet());
    for (int i = 0; ; i++) {
      if (!names.contains("eth" + i)) {
        return "eth" + i;
      }
    }
  }

  private boolean hasDefaultRoute() {
    return netns.rtnetlink().routes().stream()
        .anyMatch(r -> r.isDefault() && r.destination().address() instanceof Inet4Address);
  }
}
