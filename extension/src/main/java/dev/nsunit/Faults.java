package dev.nsunit;

import static dev.nsunit.KernelFailures.translate;
import static java.util.Objects.requireNonNull;

import dev.nsunit.internal.netlink.NftChainRequest;
import dev.nsunit.internal.netlink.NftDeleteRuleRequest;
import dev.nsunit.internal.netlink.NftRequest;
import dev.nsunit.internal.netlink.NftRuleRequest;
import dev.nsunit.internal.netlink.NftTableRequest;
import dev.nsunit.internal.netlink.Nftables;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import dev.nsunit.model.Route;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Breaks the network on purpose, for a test of what a service does when it misbehaves. Each
 * fault takes effect at once, also in the middle of a request, and lasts until it is closed or
 * the scope of an endpoint it touches ends.
 *
 * <pre>{@code
 * try (Fault cut = Faults.partition(api, db, Faults.Blocking.DROP)) {
 *   // api's requests to db time out; other peers stay reachable
 * }                                        // healed: traffic flows again
 * Fault down = Faults.linkDown(api, "eth0"); // ip link set eth0 down, until down.close()
 * }</pre>
 *
 * <p>Drop or reject: {@link Blocking#DROP} loses packets silently, so a client's connect times out,
 * as behind a dead link or a firewall that drops; {@link Blocking#REJECT} answers at once with an
 * ICMP "administratively prohibited", so a connect fails with {@code NoRouteToHostException}
 * (EHOSTUNREACH).
 *
 * <p>A partition is nf_tables rules in the senders' own namespaces (table {@code inet
 * nsunit-faults}, chain {@code output}), matching the receivers' IPv4 addresses on their lab
 * networks at the time the fault is made. A link fault sets the interface down; healing sets it
 * up and puts back the default routes that went with it.
 */
public final class Faults {
  static final String TABLE = "nsunit-faults";
  static final String CHAIN = "output";

  private Faults() {}

  /** How a partition stops packets. */
  public enum Blocking {
    /** Packets vanish: connects time out. */
    DROP,
    /** Packets are refused with an ICMP error: connects fail at once with EHOSTUNREACH. */
    REJECT
  }

  /**
   * Sets {@code interfaceName} of {@code endpoint} down, like {@code ip link set IF down}; routes
   * through it go with it. Closing the fault sets it up and restores its default routes.
   *
   * @throws IllegalArgumentException if the endpoint has no such interface, or is the JVM's own namespace
   */
  public static Fault linkDown(NetworkNamespace endpoint, String interfaceName) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace whose link to cut");
    requireNonNull(interfaceName, "interfaceName is null; pass an interface such as \"eth0\"");
    requireNsunits(List.of(endpoint), "cut a link of");
    Netns netns = endpoint.netns();
    Link link = endpoint.link(interfaceName).orElseThrow(() -> new IllegalArgumentException(endpoint + " has no"
        + " interface " + interfaceName + "; it has " + endpoint.links().stream().map(Link::name).toList() + "."));
    List<Route> defaults = endpoint.routes().stream()
        .filter(r -> r.isDefault() && r.dev().filter(interfaceName::equals).isPresent() && r.gateway().isPresent())
        .toList();
    translate(() -> {
      netns.rtnetlink().setUp(link.index(), false);
      return null;
    });
    LinkFault f = new LinkFault(endpoint, link.index(), interfaceName, defaults);
    EndpointNetworks.of(netns).addFault(f);
    return f;
  }

  /**
   * Partitions {@code a} and {@code b} in both directions; every other peer stays reachable.
   *
   * @throws IllegalArgumentException if either is on no lab network, or is the JVM's own namespace
   */
  public static Fault partition(NetworkNamespace a, NetworkNamespace b, Blocking how) {
    return partition(List.of(a), List.of(b), how);
  }

  /** Partitions two groups of endpoints from each other, in both directions. */
  public static Fault partition(List<NetworkNamespace> one, List<NetworkNamespace> other, Blocking how) {
    Fault there = block(one, other, how);
    Fault back;
    try {
      back = block(other, one, how);
    } catch (RuntimeException e) {
      there.close();
      throw e;
    }
    return new Both(there, back, "partition " + describe(one) + " <-> " + describe(other) + " (" + name(how) + ")");
  }

  /**
   * Stops what {@code from} sends to {@code to}, in that direction only: {@code to} still sends to
   * {@code from} (but a TCP connection needs both directions, so it breaks either way).
   */
  public static Fault block(NetworkNamespace from, NetworkNamespace to, Blocking how) {
    return block(List.of(from), List.of(to), how);
  }

  /** Stops what every endpoint of {@code from} sends to every endpoint of {@code to}. */
  public static Fault block(List<NetworkNamespace> from, List<NetworkNamespace> to, Blocking how) {
    requireNonNull(from, "from is null; pass the endpoints whose packets to stop");
    requireNonNull(to, "to is null; pass the endpoints they must not reach");
    requireNonNull(how, "how is null; pass Faults.Blocking.DROP or Faults.Blocking.REJECT");
    requireNsunits(from, "partition");
    requireNsunits(to, "partition");
    List<IpPrefix> targets = new ArrayList<>();
    for (NetworkNamespace t : to) {
      List<InetAddress> addresses = t.networks().stream().map(NetworkAttachment::address)
          .filter(a -> a instanceof Inet4Address).toList();
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException(t + " is on no lab network, so there is nothing to partition it from;"
            + " partition endpoints of @BridgeNetwork or @Connect, or ones connected with LabNetwork.connect.");
      }
      addresses.forEach(a -> targets.add(new IpPrefix(a, 32)));
    }
    String description = describe(from) + " -> " + describe(to) + " (" + name(how) + ")";
    List<RuleSet> installed = new ArrayList<>();
    try {
      for (NetworkNamespace f : from) {
        List<NftRequest> requests = new ArrayList<>();
        requests.add(NftTableRequest.add(TABLE));
        requests.add(NftChainRequest.base(TABLE, CHAIN, NftChainRequest.Type.FILTER, NftChainRequest.Hook.OUTPUT, 0));
        for (IpPrefix t : targets) {
          NftRuleRequest r = NftRuleRequest.append(TABLE, CHAIN).ipDaddr(t);
          requests.add(how == Blocking.DROP ? r.drop() : r.reject(NftRuleRequest.IcmpxCode.ADMIN_PROHIBITED));
        }
        Netns netns = f.netns();
        List<Long> handles = translate(() -> {
          try (Nftables nft = netns.setUp(Nftables::open)) {
            return nft.apply(requests);
          }
        });
        installed.add(new RuleSet(netns, handles));
      }
    } catch (RuntimeException e) {
      installed.forEach(RuleSet::remove);
      throw e;
    }
    RulesFault fault = new RulesFault(installed, description);
    // healed when either side's scope ends: a rule must not outlive its target, whose address comes back
    for (NetworkNamespace e : from) {
      EndpointNetworks.of(e.netns()).addFault(fault);
    }
    for (NetworkNamespace e : to) {
      EndpointNetworks.of(e.netns()).addFault(fault);
    }
    return fault;
  }

  private static void requireNsunits(List<NetworkNamespace> endpoints, String what) {
    for (NetworkNamespace e : endpoints) {
      requireNonNull(e, "an endpoint is null; pass NetworkNamespaces nsunit created");
      if (e.isHost() || !e.createdByNsunit()) {
        throw new IllegalArgumentException("cannot " + what + " " + e + ": nsunit changes only namespaces it created,"
            + " never the JVM's own network or one opened from a file.");
      }
    }
  }

  private static String describe(List<NetworkNamespace> group) {
    return group.size() == 1 ? group.get(0).name()
        : group.stream().map(NetworkNamespace::name).collect(Collectors.joining(", ", "[", "]"));
  }

  private static String name(Blocking how) {
    return how == Blocking.DROP ? "drop" : "reject";
  }

  /** The rules one fault put into one namespace, by handle. */
  private record RuleSet(Netns netns, List<Long> handles) {
    void remove() {
      if (netns.isClosed()) {
        return; // the rules went with the namespace
      }
      List<NftRequest> deletes = new ArrayList<>();
      for (Long h : handles) {
        deletes.add(NftDeleteRuleRequest.handle(TABLE, CHAIN, h));
      }
      translate(() -> {
        try (Nftables nft = netns.setUp(Nftables::open)) {
          return nft.apply(deletes);
        }
      });
    }
  }

  /** A partition or a one-way block. */
  private static final class RulesFault implements Fault {
    private final List<RuleSet> rules;
    private final String description;
    private boolean healed; // guarded by this

    RulesFault(List<RuleSet> rules, String description) {
      this.rules = rules;
      this.description = "partition " + description;
    }

    @Override
    public String description() {
      return description;
    }

    @Override
    public synchronized boolean isHealed() {
      return healed;
    }

    @Override
    public synchronized void close() {
      if (!healed) {
        healed = true;
        rules.forEach(RuleSet::remove);
      }
    }

    @Override
    public String toString() {
      return description;
    }
  }

  /** Two faults healed together: a partition's two directions. */
  private record Both(Fault one, Fault other, String description) implements Fault {
    @Override
    public boolean isHealed() {
      return one.isHealed() && other.isHealed();
    }

    @Override
    public void close() {
      try {
        one.close();
      } finally {
        other.close();
      }
    }

    @Override
    public String toString() {
      return description;
    }
  }

  /** A link set down. */
  private static final class LinkFault implements Fault {
    private final NetworkNamespace endpoint;
    private final int index;
    private final String name;
    private final List<Route> defaults;
    private boolean healed; // guarded by this

    LinkFault(NetworkNamespace endpoint, int index, String name, List<Route> defaults) {
      this.endpoint = endpoint;
      this.index = index;
      this.name = name;
      this.defaults = defaults;
    }

    @Override
    public String description() {
      return "link " + name + " of " + endpoint.name() + " down";
    }

    @Override
    public synchronized boolean isHealed() {
      return healed;
    }

    @Override
    public synchronized void close() {
      if (healed) {
        return;
      }
      healed = true;
      Netns netns = endpoint.netns();
      if (netns.isClosed()) {
        return;
      }
      translate(() -> {
        netns.rtnetlink().setUp(index, true);
        List<Route> now = netns.rtnetlink().routes();
        for (Route r : defaults) {
          boolean back = now.stream().anyMatch(x -> x.isDefault() && x.gateway().equals(r.gateway()));
          if (!back) {
            netns.rtnetlink().addRoute(RouteRequest.defaultVia(r.gateway().orElseThrow()).dev(index));
          }
        }
        return null;
      });
    }

    @Override
    public String toString() {
      return description() + (defaults.isEmpty() ? "" : ", restoring " + defaults.stream()
          .map(r -> "default via " + InetAddresses.format(r.gateway().orElseThrow())).toList());
    }
  }
}
