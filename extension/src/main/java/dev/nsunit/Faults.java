package dev.nsunit;

import static dev.nsunit.KernelFailures.translate;
import static java.util.Objects.requireNonNull;

import dev.nsunit.internal.netlink.NftChainRequest;
import dev.nsunit.internal.netlink.NftDeleteRuleRequest;
import dev.nsunit.internal.netlink.NftRequest;
import dev.nsunit.internal.netlink.NftRuleRequest;
import dev.nsunit.internal.netlink.NftTableRequest;
import dev.nsunit.internal.netlink.Nftables;
import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.netlink.QdiscRequest;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.ns.FrameRelay;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import dev.nsunit.model.Route;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;
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
 * <p>A partition is nf_tables rules in the endpoints' own namespaces (table {@code inet
 * nsunit-faults}), matching IPv4 addresses on their lab networks at the time the fault is made: a
 * drop in the receivers' chain {@code input} (the sender's {@code send} succeeds, the packet
 * vanishes), a reject in the senders' chain {@code output}. A link fault sets the interface down; healing sets it
 * up and puts back the default routes that went with it.
 */
public final class Faults {
  static final String TABLE = "nsunit-faults";
  static final String CHAIN = "output";

  private Faults() {}

  static final String INPUT_CHAIN = "input";
  private static final Map<String, FrameRelay> RELAYS = new ConcurrentHashMap<>(); // by lab host + veth
  private static final Map<String, Boolean> SHAPED = new ConcurrentHashMap<>(); // losses in effect, by lab host + veth

  /** Which way a fault acts, seen from the endpoint it is set on. */
  public enum Direction {
    /** What the endpoint sends (its egress), as {@code tc} and netem act on {@code eth0}. */
    OUTGOING,
    /** What is sent to the endpoint (its ingress). */
    INCOMING,
    /** Both ways: each direction gets the whole fault. */
    BOTH;

    boolean outgoing() {
      return this != INCOMING;
    }

    boolean incoming() {
      return this != OUTGOING;
    }

    String describe() {
      return this == OUTGOING ? "outgoing" : this == INCOMING ? "incoming" : "both ways";
    }
  }

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
    Fault there = rules(one, other, how);
    Fault back;
    try {
      back = rules(other, one, how);
    } catch (RuntimeException e) {
      there.close();
      throw e;
    }
    return register(new Both(there, back, "partition " + describe(one) + " <-> " + describe(other) + " ("
        + name(how) + ")"), one, other);
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
    return register(rules(from, to, how), from, to);
  }

  /** Records {@code fault} with every endpoint it touches: it is healed when either side's scope ends. */
  private static Fault register(Fault fault, List<NetworkNamespace> one, List<NetworkNamespace> other) {
    // a rule must not outlive its target, whose address comes back
    for (NetworkNamespace e : one) {
      EndpointNetworks.of(e.netns()).addFault(fault);
    }
    for (NetworkNamespace e : other) {
      EndpointNetworks.of(e.netns()).addFault(fault);
    }
    return fault;
  }

  private static Fault rules(List<NetworkNamespace> from, List<NetworkNamespace> to, Blocking how) {
    requireNonNull(from, "from is null; pass the endpoints whose packets to stop");
    requireNonNull(to, "to is null; pass the endpoints they must not reach");
    requireNonNull(how, "how is null; pass Faults.Blocking.DROP or Faults.Blocking.REJECT");
    requireNsunits(from, "partition");
    requireNsunits(to, "partition");
    // a drop lives in the receivers (chain input, matching the senders' addresses), so that a
    // sender's own send() succeeds as across a dead wire; a reject lives in the senders (chain
    // output, matching the receivers' addresses), which answers at once
    boolean drop = how == Blocking.DROP;
    List<IpPrefix> matched = new ArrayList<>();
    for (NetworkNamespace t : drop ? from : to) {
      ipv4Addresses(t).forEach(a -> matched.add(new IpPrefix(a, 32)));
    }
    for (NetworkNamespace t : drop ? to : from) {
      ipv4Addresses(t); // each side must be on a lab network
    }
    String chain = drop ? INPUT_CHAIN : CHAIN;
    String description = describe(from) + " -> " + describe(to) + " (" + name(how) + ")";
    List<RuleSet> installed = new ArrayList<>();
    try {
      for (NetworkNamespace f : drop ? to : from) {
        List<NftRequest> requests = new ArrayList<>();
        requests.add(NftTableRequest.add(TABLE));
        requests.add(drop
            ? NftChainRequest.base(TABLE, chain, NftChainRequest.Type.FILTER, NftChainRequest.Hook.INPUT, 0)
            : NftChainRequest.base(TABLE, chain, NftChainRequest.Type.FILTER, NftChainRequest.Hook.OUTPUT, 0));
        for (IpPrefix t : matched) {
          requests.add(drop ? NftRuleRequest.append(TABLE, chain).ipSaddr(t).drop()
              : NftRuleRequest.append(TABLE, chain).ipDaddr(t).reject(NftRuleRequest.IcmpxCode.ADMIN_PROHIBITED));
        }
        Netns netns = f.netns();
        List<Long> handles = translate(() -> {
          try (Nftables nft = netns.setUp(Nftables::open)) {
            return nft.apply(requests);
          }
        });
        installed.add(new RuleSet(netns, chain, handles));
      }
    } catch (RuntimeException e) {
      installed.forEach(RuleSet::remove);
      throw e;
    }
    List<Runnable> undo = new ArrayList<>();
    installed.forEach(r -> undo.add(r::remove));
    return new UndoFault(undo, "partition " + description);
  }

  /**
   * Drops {@code percent} of the endpoint's frames at random, in {@code direction}, each drawn
   * afresh by the kernel, like {@code netem loss PERCENT%}: nf_tables rules on the lab side of
   * the endpoint's veth (a table {@code netdev nsunit-loss-VETH}: {@code meta protocol != arp
   * numgen random mod 10000 < N drop} at the veth's ingress for outgoing, its egress for
   * incoming). The drop is silent, as on a lossy wire: a sender's {@code send} succeeds. ARP is
   * never dropped. The draw is not reproducible; for a
   * test that must lose the same packets every run, pass a seed:
   * {@link #loss(NetworkNamespace, double, Direction, long)}.
   *
   * @param percent above 0 and at most 100, to 0.01 %
   * @throws IllegalArgumentException for a percentage out of range, an endpoint nsunit did not
   *     make, or one on a macvlan or ipvlan network (whose children have no lab side)
   * @throws IllegalStateException if the endpoint loses packets already
   */
  public static Fault loss(NetworkNamespace endpoint, double percent, Direction direction) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace that should lose packets");
    requireNonNull(direction, "direction is null; pass Faults.Direction.OUTGOING, INCOMING or BOTH");
    checkPercent(percent);
    requireNsunits(List.of(endpoint), "drop packets of");
    List<EndpointNetworks.Joined> joined = joinedOf(endpoint, "drop packets of");
    joined.forEach(j -> requireVeth(endpoint, j, "loss"));
    List<Runnable> undo = new ArrayList<>();
    try {
      for (EndpointNetworks.Joined j : joined) {
        Lab.Attachment a = j.attachment();
        String table = "nsunit-loss-" + a.labVeth();
        String key = "loss " + a.labHost().id() + "/" + a.labVethIndex();
        claim(key, endpoint.name() + "'s " + a.interfaceName() + " loses packets already");
        undo.add(() -> SHAPED.remove(key));
        List<NftRequest> requests = new ArrayList<>();
        requests.add(NftTableRequest.addNetdev(table));
        // on the lab side of the wire: what the endpoint sent arrives there (ingress), what it
        // is sent leaves from there (egress); a drop there is silent, as on a lossy link
        if (direction.outgoing()) {
          requests.add(NftChainRequest.netdev(table, "outgoing", NftChainRequest.Hook.INGRESS, a.labVeth(), 0));
          requests.add(NftRuleRequest.appendNetdev(table, "outgoing").notArp().randomFraction(percent / 100).drop());
        }
        if (direction.incoming()) {
          requests.add(NftChainRequest.netdev(table, "incoming", NftChainRequest.Hook.EGRESS, a.labVeth(), 0));
          requests.add(NftRuleRequest.appendNetdev(table, "incoming").notArp().randomFraction(percent / 100).drop());
        }
        Netns lab = a.labHost();
        translate(() -> {
          try (Nftables nft = lab.setUp(Nftables::open)) {
            return nft.apply(requests);
          }
        });
        undo.add(() -> {
          if (!lab.isClosed()) {
            translate(() -> {
              try (Nftables nft = lab.setUp(Nftables::open)) {
                return nft.apply(NftTableRequest.deleteNetdev(table));
              }
            });
          }
        });
      }
    } catch (RuntimeException e) {
      undoAll(undo, e);
      throw e;
    }
    UndoFault fault = new UndoFault(undo, "loss " + formatPercent(percent) + " " + direction.describe() + " at "
        + endpoint.name());
    EndpointNetworks.of(endpoint.netns()).addFault(fault);
    return fault;
  }

  private static void claim(String key, String refusal) {
    if (SHAPED.putIfAbsent(key, Boolean.TRUE) != null) {
      throw new IllegalStateException(refusal + "; heal that fault before setting another.");
    }
  }

  /**
   * Like {@link #loss(NetworkNamespace, double, Direction)}, reproducibly: the frames pass through
   * the endpoint's frame relay (see {@link #latency(NetworkNamespace, Duration, Duration, Direction)}),
   * where a {@link java.util.Random} seeded with {@code seed} decides each frame in turn, so the
   * same traffic loses the same frames on every run. The relay sees frames as the kernel hands them
   * over: a TCP sender's large segment (up to 64 KiB, split later) is one frame there, and ARP
   * frames count too.
   */
  public static Fault loss(NetworkNamespace endpoint, double percent, Direction direction, long seed) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace that should lose packets");
    requireNonNull(direction, "direction is null; pass Faults.Direction.OUTGOING, INCOMING or BOTH");
    checkPercent(percent);
    FrameRelay.Shaping shaping = new FrameRelay.Shaping(Duration.ZERO, Duration.ZERO, percent);
    return relay(endpoint, direction, shaping, seed, "loss " + formatPercent(percent) + " " + direction.describe()
        + " at " + endpoint.name() + " (seed " + seed + ")");
  }

  /**
   * Limits the endpoint's traffic on each of its lab networks to {@code bitsPerSecond}, counting
   * whole Ethernet frames, with a token bucket filter ({@code tbf}): outgoing on the endpoint's
   * own interface, incoming on the lab side of its veth. What exceeds the rate waits in a queue of
   * 100 ms and is dropped beyond it, as on a slow link. Equivalent to
   * {@code tc qdisc add dev eth0 root tbf rate RATEbit burst B limit L}.
   *
   * @param bitsPerSecond at least 8000; {@code 10_000_000} is 10 Mbit/s
   * @throws IllegalArgumentException if the endpoint is on no lab network; for {@code INCOMING} on
   *     a macvlan or ipvlan network, whose children have no lab side to shape
   */
  public static Fault rateLimit(NetworkNamespace endpoint, long bitsPerSecond, Direction direction) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace whose traffic to slow down");
    requireNonNull(direction, "direction is null; pass Faults.Direction.OUTGOING, INCOMING or BOTH");
    requireNsunits(List.of(endpoint), "limit the rate of");
    String description = "rate " + formatRate(bitsPerSecond) + " " + direction.describe() + " at " + endpoint.name();
    return qdiscs(endpoint, direction, index -> QdiscRequest.tbf(index, bitsPerSecond), description, "rate limit");
  }

  /**
   * A root qdisc on each of the endpoint's lab interfaces: on the interface itself for outgoing,
   * on the lab side of its veth for incoming.
   */
  private static Fault qdiscs(NetworkNamespace endpoint, Direction direction, IntFunction<QdiscRequest> qdisc,
      String description, String what) {
    requireNsunits(List.of(endpoint), "shape the traffic of");
    List<EndpointNetworks.Joined> joined = joinedOf(endpoint, "shape the traffic of");
    if (direction.incoming()) {
      joined.forEach(j -> requireVeth(endpoint, j, "an incoming " + what));
    }
    List<Runnable> undo = new ArrayList<>();
    try {
      for (EndpointNetworks.Joined j : joined) {
        Lab.Attachment a = j.attachment();
        if (direction.outgoing()) {
          Netns inside = endpoint.netns();
          int index = translate(() -> inside.rtnetlink().indexOf(a.interfaceName()));
          addQdisc(inside, qdisc.apply(index), endpoint.name() + "'s " + a.interfaceName());
          undo.add(() -> deleteQdisc(inside, index));
        }
        if (direction.incoming()) {
          Netns lab = a.labHost();
          addQdisc(lab, qdisc.apply(a.labVethIndex()), "the lab side of " + endpoint.name() + "'s " + a.interfaceName());
          undo.add(() -> deleteQdisc(lab, a.labVethIndex()));
        }
      }
    } catch (RuntimeException e) {
      undoAll(undo, e);
      throw e;
    }
    UndoFault fault = new UndoFault(undo, description);
    EndpointNetworks.of(endpoint.netns()).addFault(fault);
    return fault;
  }

  /**
   * Delays the endpoint's frames by {@code delay} in {@code direction}, like {@code netem delay}:
   * with {@code OUTGOING} a ping from the endpoint takes {@code delay} longer; with {@code BOTH},
   * twice that. With netem in the kernel, netem does it; without (as on this project's CI machine)
   * the delay is made in userspace: a frame relay is spliced between the endpoint's veth and its
   * bridge (a veth pair takes the veth's place on the bridge, two threads {@code nsunit-relay-*}
   * pass each frame on when its time comes). Costs:
   * two threads per interface while the fault lasts, and some tens of microseconds a frame.
   *
   * @throws IllegalArgumentException if the endpoint is on no lab network, or on a macvlan or
   *     ipvlan network only (their children have no veth to splice into)
   * @throws IllegalStateException if the endpoint already has a relayed fault (latency, or a
   *     seeded loss) in effect; set both in one call instead
   */
  public static Fault latency(NetworkNamespace endpoint, Duration delay) {
    return latency(endpoint, delay, Duration.ZERO, Direction.OUTGOING);
  }

  /**
   * Like {@link #latency(NetworkNamespace, Duration)}, with each frame's delay drawn uniformly
   * from {@code delay ± jitter} (never below zero), so frames can overtake each other, as with
   * {@code netem delay D J}.
   */
  public static Fault latency(NetworkNamespace endpoint, Duration delay, Duration jitter, Direction direction) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace whose frames to delay");
    requireNonNull(delay, "delay is null; pass a Duration such as Duration.ofMillis(50)");
    requireNonNull(jitter, "jitter is null; pass Duration.ZERO for none");
    requireNonNull(direction, "direction is null; pass Faults.Direction.OUTGOING, INCOMING or BOTH");
    FrameRelay.Shaping shaping = new FrameRelay.Shaping(delay, jitter, 0);
    String description = "latency " + delay.toMillis() + " ms" + (jitter.isZero() ? "" : " ± " + jitter.toMillis()
        + " ms") + " " + direction.describe() + " at " + endpoint.name();
    if (KernelFeatures.hasQdisc("netem")) {
      return qdiscs(endpoint, direction, index -> QdiscRequest.netem(index, delay, jitter), description + " (netem)",
          "delay");
    }
    return relay(endpoint, direction, shaping, null, description);
  }

  private static Fault relay(NetworkNamespace endpoint, Direction direction, FrameRelay.Shaping shaping, Long seed,
      String description) {
    requireNsunits(List.of(endpoint), "delay or drop frames of");
    List<EndpointNetworks.Joined> joined = joinedOf(endpoint, "relay the frames of");
    joined.forEach(j -> requireVeth(endpoint, j, "a frame relay"));
    FrameRelay.Shaping out = direction.outgoing() ? shaping : FrameRelay.Shaping.NONE;
    FrameRelay.Shaping in = direction.incoming() ? shaping : FrameRelay.Shaping.NONE;
    List<Runnable> undo = new ArrayList<>();
    try {
      for (EndpointNetworks.Joined j : joined) {
        Lab.Attachment a = j.attachment();
        String key = a.labHost().id() + "/" + a.labVethIndex();
        FrameRelay[] made = new FrameRelay[1];
        FrameRelay existing = RELAYS.computeIfAbsent(key, k -> made[0] = translate(() ->
            FrameRelay.splice(a.labHost(), a.labVethIndex(), a.bridgeIndex(), out, in, seed)));
        if (made[0] == null) {
          throw new IllegalStateException(endpoint.name() + "'s " + a.interfaceName() + " already has " + existing
              + "; heal it first, or set delay and loss in one fault.");
        }
        undo.add(() -> {
          RELAYS.remove(key, made[0]);
          made[0].close();
        });
      }
    } catch (RuntimeException e) {
      undoAll(undo, e);
      throw e;
    }
    UndoFault fault = new UndoFault(undo, description);
    EndpointNetworks.of(endpoint.netns()).addFault(fault);
    return fault;
  }

  private static List<EndpointNetworks.Joined> joinedOf(NetworkNamespace endpoint, String what) {
    List<EndpointNetworks.Joined> joined = EndpointNetworks.of(endpoint.netns()).snapshot();
    if (joined.isEmpty()) {
      throw new IllegalArgumentException(endpoint + " is on no lab network, so there is nothing to " + what + ";"
          + " use an endpoint of @BridgeNetwork or @Connect, or one connected with LabNetwork.connect.");
    }
    return joined;
  }

  private static void requireVeth(NetworkNamespace endpoint, EndpointNetworks.Joined j, String what) {
    if (j.attachment().labVethIndex() < 0) {
      throw new IllegalArgumentException(what + " needs a veth between the endpoint and its bridge, and "
          + endpoint.name() + "'s " + j.attachment().interfaceName() + " on " + j.network().name() + " is a "
          + j.network().driver().toString().toLowerCase(Locale.ROOT) + " child, which has none;"
          + " use a bridge or overlay network for this fault.");
    }
  }

  private static void addQdisc(Netns netns, QdiscRequest request, String where) {
    try {
      translate(() -> {
        request.sendOn(netns.rtnetlink());
        return null;
      });
    } catch (KernelException e) {
      if ("EEXIST".equals(e.errnoName())) {
        throw new IllegalStateException(where + " has a rate limit already (or a netem delay, which takes the same"
            + " place); heal it before setting another.", e);
      }
      throw e;
    }
  }

  private static void deleteQdisc(Netns netns, int index) {
    if (netns.isClosed()) {
      return;
    }
    translate(() -> {
      if (netns.rtnetlink().link(index).isPresent()) {
        QdiscRequest.deleteRoot(index).sendOn(netns.rtnetlink());
      }
      return null;
    });
  }

  private static void undoAll(List<Runnable> undo, RuntimeException failure) {
    for (int i = undo.size() - 1; i >= 0; i--) {
      try {
        undo.get(i).run();
      } catch (RuntimeException e) {
        failure.addSuppressed(e);
      }
    }
  }

  private static void checkPercent(double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("loss is a percentage above 0 and at most 100, not " + percent
          + "; for no loss, heal the fault.");
    }
  }

  private static String formatPercent(double percent) {
    return (percent == Math.rint(percent) ? String.valueOf((long) percent) : String.valueOf(percent)) + "%";
  }

  static String formatRate(long bitsPerSecond) {
    if (bitsPerSecond % 1_000_000_000 == 0) {
      return bitsPerSecond / 1_000_000_000 + " Gbit/s";
    }
    if (bitsPerSecond % 1_000_000 == 0) {
      return bitsPerSecond / 1_000_000 + " Mbit/s";
    }
    if (bitsPerSecond % 1_000 == 0) {
      return bitsPerSecond / 1_000 + " kbit/s";
    }
    return bitsPerSecond + " bit/s";
  }

  private static List<InetAddress> ipv4Addresses(NetworkNamespace endpoint) {
    List<InetAddress> addresses = endpoint.networks().stream().map(NetworkAttachment::address)
        .filter(a -> a instanceof Inet4Address).toList();
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException(endpoint + " is on no lab network, so there is nothing to partition it from;"
          + " partition endpoints of @BridgeNetwork or @Connect, or ones connected with LabNetwork.connect.");
    }
    return addresses;
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
  private record RuleSet(Netns netns, String chain, List<Long> handles) {
    void remove() {
      if (netns.isClosed()) {
        return; // the rules went with the namespace
      }
      List<NftRequest> deletes = new ArrayList<>();
      for (Long h : handles) {
        deletes.add(NftDeleteRuleRequest.handle(TABLE, chain, h));
      }
      translate(() -> {
        try (Nftables nft = netns.setUp(Nftables::open)) {
          return nft.apply(deletes);
        }
      });
    }
  }

  /** A fault undone by running its steps in reverse. */
  private static final class UndoFault implements Fault {
    private final List<Runnable> undo;
    private final String description;
    private boolean healed; // guarded by this

    UndoFault(List<Runnable> undo, String description) {
      this.undo = List.copyOf(undo);
      this.description = description;
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
      if (healed) {
        return;
      }
      healed = true;
      RuntimeException failure = null;
      for (int i = undo.size() - 1; i >= 0; i--) {
        try {
          undo.get(i).run();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
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
