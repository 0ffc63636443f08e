package dev.nsunit.internal.ns;

import dev.nsunit.internal.netlink.BridgePortRequest;
import dev.nsunit.internal.netlink.FdbRequest;
import dev.nsunit.internal.netlink.Ipv4DevConfRequest;
import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.netlink.LinkRequest;
import dev.nsunit.internal.netlink.NetlinkException;
import dev.nsunit.internal.netlink.NftRuleset;
import dev.nsunit.internal.netlink.Nftables;
import dev.nsunit.internal.netlink.RejectRouteRequest;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.internal.netlink.RuleRequest;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import jnr.constants.platform.Errno;

/**
 * The hermetic "Docker host": one namespace per JVM, created on first use, that holds the
 * bridges endpoints attach to. The real host is never touched and the lab has no route out, so
 * the same addresses (172.17.0.0/16, first endpoint .2) work on every machine and in parallel
 * JVMs, and no packet can leave through a real NIC.
 *
 * <p><b>No way out, and no silent drops.</b> The lab routes nothing: every IPv4 packet that
 * arrives from a bridge for anything but the lab host's own addresses is refused with an ICMP
 * "administratively prohibited", so an endpoint's connect or name lookup to anywhere off the lab (the
 * internet, the machine's nameserver, another bridge's subnet) fails at once with EHOSTUNREACH
 * ("No route to host") instead of timing out. Where the kernel has nf_tables (with its reject
 * expression) a rule ({@code not iif lo lookup 100}) sends such packets to a table whose only
 * route leads to {@code lo}, so that they are forwarded, and the lab's {@code inet nsunit} table
 * rejects everything forwarded to {@code lo} (not what a bridge passes between its own ports,
 * which br_netfilter shows to the same hook): every packet gets its error, without the routing
 * code's burst limit. Without nf_tables a rule ({@code not iif lo prohibit}) refuses them instead, and the
 * kernel then sends at most 5 errors in a burst to one endpoint address, then one a second
 * ({@code net.ipv4.route.error_burst} and {@code error_cost}, host-wide settings nsunit never
 * changes); past that a packet is dropped and the sender times out. The lab's own main table has
 * {@code unreachable default} routes for IPv4 and IPv6, so traffic the lab host sends itself
 * fails at once too. For the ICMP to be sent at all the bridges have IPv4 forwarding on, and the
 * lab's per-destination ICMP rate limits are off ({@code net.ipv4.icmp_ratelimit=0},
 * {@code net.ipv6.icmp.ratelimit=0}, where {@code /proc/sys} is writable).
 *
 * <p><b>Stable MACs.</b> Each bridge gets a fixed MAC at creation, as Docker gives docker0 one
 * (02:42 followed by the gateway's IPv4 address; no endpoint can have it, since the pool never
 * hands out the gateway): a bridge without one takes the lowest MAC of its ports, which changes
 * as endpoints come and go, and endpoints would keep sending to a gateway MAC that no longer
 * exists. Lab-side veths get a random MAC from the kernel when created, which never changes.
 *
 * <p><b>Ended endpoints.</b> {@link Attachment#close()} cuts the endpoint's port off the bridge at
 * once (disabled, its learned addresses flushed), then drops the namespace, which the kernel
 * tears down lazily. The address (and the MAC derived from it) is handed out again only once the
 * old port is gone; see {@link AddressPool}. One consequence of the cut-off: a TCP connection
 * closed after it (by a process the close kills, or a leaked socket closed later) cannot have its
 * FIN acknowledged, and the orphaned socket keeps the namespace, and so the address, for as long
 * as the kernel retransmits it ({@code net.ipv4.tcp_orphan_retries}: about 100 s by default).
 *
 * <p>The lab is held by file descriptors only: it disappears, with every bridge and veth in it,
 * when the JVM exits, however it exits.
 */
public final class Lab {
  /** The preference of the rule that refuses everything the lab would otherwise route. */
  public static final int NO_ROUTING_RULE_PRIORITY = 100;
  /** The routing table that sends what an endpoint sends beyond the lab to the forward hook. */
  public static final int REFUSE_TABLE = 100;

  private static final Object INIT = new Object();
  private static volatile Lab instance;
  private static final AtomicInteger VETHS = new AtomicInteger();
  private static final int ENODEV = Errno.ENODEV.intValue();

  private final Netns netns;
  private final Map<IpPrefix, Bridge> bridges = new HashMap<>();
  private final Map<String, Bridge> networks = new HashMap<>();

  private Lab(Netns netns) {
    this.netns = netns;
  }

  private Netns outside; // guarded by this; the outside world, once created
  private final List<Netns> lans = new ArrayList<>(); // guarded by this; the LANs of macvlan and ipvlan networks
  private final Map<String, Node> nodes = new LinkedHashMap<>(); // guarded by this; lab hosts by name, "" the JVM's
  private int overlays; // guarded by this
  private final Set<InetAddress> outsideHosts = new HashSet<>(); // guarded by this
  private boolean nftables; // set once by create(): whether the lab refuses through nf_tables

  /** The JVM's lab host, created on first call. */
  public static Lab get() {
    Lab lab = instance;
    if (lab == null) {
      synchronized (INIT) {
        lab = instance;
        if (lab == null) {
          lab = create();
          instance = lab;
        }
      }
    }
    return lab;
  }

  private static Lab create() {
    Netns netns = Netns.createUnpooled("lab host");
    try {
      Rtnetlink rt = netns.rtnetlink();
      boolean useNft = KernelFeatures.supported(KernelFeatures.NftFeature.NF_TABLES)
          && KernelFeatures.supported(KernelFeatures.NftFeature.REJECT);
      if (useNft) {
        // what arrives from a bridge for anything but the lab's own addresses is routed to lo,
        // so that it reaches the forward hook, where nf_tables refuses all of it
        RuleRequest.lookup(false, REFUSE_TABLE).iif("lo").not().priority(NO_ROUTING_RULE_PRIORITY).sendOn(rt);
        rt.addRoute(RouteRequest.to(IpPrefix.parse("0.0.0.0/0")).dev(rt.indexOf("lo")).table(REFUSE_TABLE));
        try { // the same for IPv6, which dual-stack networks carry
          RuleRequest.lookup(true, REFUSE_TABLE).iif("lo").not().priority(NO_ROUTING_RULE_PRIORITY).sendOn(rt);
          rt.addRoute(RouteRequest.to(IpPrefix.parse("::/0")).dev(rt.indexOf("lo")).table(REFUSE_TABLE));
        } catch (NetlinkException e) {
          // a kernel booted with ipv6.disable=1: no IPv6 to route
        }
        try (Nftables nft = netns.call(Nftables::open)) {
          NftRuleset.labForwardReject("lo").applyTo(nft);
        }
      } else {
        RuleRequest.prohibit(false).iif("lo").not().priority(NO_ROUTING_RULE_PRIORITY).sendOn(rt);
      }
      RejectRouteRequest.unreachable(IpPrefix.parse("0.0.0.0/0")).sendOn(rt);
      try {
        RejectRouteRequest.unreachable(IpPrefix.parse("::/0")).sendOn(rt);
      } catch (NetlinkException e) {
        // a kernel booted with ipv6.disable=1 has no IPv6 tables: nothing to route there anyway
      }
      netns.call(() -> {
        // best effort: a read-only /proc/sys (a container without --privileged) keeps the
        // default limit, one error a second per endpoint on top of the kernel's own
        writeSysctl("net/ipv4/icmp_ratelimit", "0");
        writeSysctl("net/ipv6/icmp/ratelimit", "0");
        // IPv6 forwarding, in the lab only: what it refuses must reach the forward hook to be
        // answered with an ICMPv6 error (the IPv4 bridges turn it on per device)
        writeSysctl("net/ipv6/conf/all/forwarding", "1");
        return null;
      });
      Lab lab = new Lab(netns);
      lab.nftables = useNft;
      return lab;
    } catch (Exception e) {
      netns.close();
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("configuring the lab host failed", e);
    }
  }

  /** Writes a sysctl of the calling thread's network namespace, if it exists and may be written. */
  private static void writeSysctl(String name, String value) {
    try {
      Files.writeString(Path.of("/proc/sys").resolve(name), value);
    } catch (IOException | SecurityException e) {
      // read-only /proc/sys, or no IPv6: the lab works without it
    }
  }

  /** The lab host's side of the link to the outside world. */
  public static final String UPLINK = "nsunit-uplink";
  /** The outside world's router: its address on the uplink, the lab's next hop there. */
  public static final InetAddress OUTSIDE_ROUTER = InetAddresses.parse("192.0.2.1");
  /** The lab host's address on the uplink: the source the outside sees (masquerade). */
  public static final InetAddress UPLINK_ADDRESS = InetAddresses.parse("192.0.2.2");
  /** The documentation prefixes (RFC 5737) the outside world's hosts live in. */
  public static final List<IpPrefix> OUTSIDE_PREFIXES = List.of(IpPrefix.parse("192.0.2.0/24"),
      IpPrefix.parse("198.51.100.0/24"), IpPrefix.parse("203.0.113.0/24"));
  /** The link between the lab host and the outside world. */
  public static final IpPrefix OUTSIDE_LINK = IpPrefix.parse("192.0.2.0/24");
  /** The routing table of the routes to the outside world, looked up before the refusing rule. */
  static final int OUTSIDE_TABLE = 101;
  private static final int OUTSIDE_RULE_PRIORITY = 90;

  /**
   * The outside world, created on first call: a namespace that stands for the internet behind a
   * Docker host's NAT, joined to the lab host by a veth ({@value #UPLINK}, 192.0.2.2/24, and
   * {@code eth0}, 192.0.2.1/24, in the outside). The lab routes the outside's hosts there (table
   * {@value #OUTSIDE_TABLE}, looked up before the rule that refuses everything else) and
   * masquerades what it forwards there, so the outside sees 192.0.2.2; replies find their way back
   * through the main table. Nothing else is routed anywhere. Lives as long as the lab.
   *
   * <pre>
   * ip netns add outside; ip link add nsunit-uplink type veth peer eth0 netns outside
   * ip addr add 192.0.2.2/24 dev nsunit-uplink; ip -n outside addr add 192.0.2.1/24 dev eth0
   * ip route add 192.0.2.0/24 dev nsunit-uplink table 101 (and per host: 203.0.113.10/32 via 192.0.2.1 table 101)
   * ip rule add pref 90 lookup 101; ip rule add pref 91 iif nsunit-uplink lookup main
   * nft add rule inet nsunit postrouting oifname "nsunit-uplink" masquerade
   * </pre>
   *
   * @throws UnsupportedOperationException if the kernel lacks nf_tables masquerade, naming it
   */
  public synchronized Netns outsideWorld() {
    if (outside != null) {
      return outside;
    }
    if (!nftables || !KernelFeatures.supported(KernelFeatures.NftFeature.MASQ)) {
      throw new UnsupportedOperationException("the outside world needs nf_tables with masquerade in the kernel"
          + " (CONFIG_NF_TABLES, CONFIG_NFT_MASQ, CONFIG_NF_NAT): the lab host hides endpoints behind its own address,"
          + " as a Docker host does, and this kernel cannot. Use a kernel with them, or leave the outside world out.");
    }
    Optional<Bridge> onLink = overlapping(OUTSIDE_LINK);
    if (onLink.isPresent()) {
      throw new IllegalStateException("the outside world's link is " + OUTSIDE_LINK + ", but " + label(onLink.get())
          + " uses it already; the lab cannot route to both. Give that network another subnet.");
    }
    Netns world = Netns.createUnpooled("outside world");
    try {
      Rtnetlink labRt = netns.rtnetlink();
      labRt.add(LinkRequest.veth(UPLINK, "eth0", world.fd()).up());
      int uplink = labRt.indexOf(UPLINK);
      labRt.batch(new Rtnetlink.Batch().addAddress(uplink, new IpPrefix(UPLINK_ADDRESS, 24)));
      labRt.addRoute(RouteRequest.to(OUTSIDE_LINK).dev(uplink).table(OUTSIDE_TABLE).scopeLink());
      RuleRequest.lookup(false, OUTSIDE_TABLE).priority(OUTSIDE_RULE_PRIORITY).sendOn(labRt);
      RuleRequest.lookupMain(false).iif(UPLINK).priority(OUTSIDE_RULE_PRIORITY + 1).sendOn(labRt);
      Ipv4DevConfRequest.forwarding(uplink, true).sendOn(labRt);
      try (Nftables nft = netns.call(Nftables::open)) {
        NftRuleset.masquerade(UPLINK).applyTo(nft);
      }
      Rtnetlink out = world.rtnetlink();
      int eth0 = out.indexOf("eth0");
      out.batch(new Rtnetlink.Batch().addAddress(eth0, new IpPrefix(OUTSIDE_ROUTER, 24)).setUp(eth0));
      outside = world;
      return world;
    } catch (Exception e) {
      world.close(); // takes eth0 and with it the lab's end of the veth
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("building the outside world failed", e);
    }
  }

  /**
   * Routes {@code host}, an address the outside world has just taken, from the lab: nothing for
   * one on the link (192.0.2.0/24), which is on-link; a /32 via the outside router in table
   * {@value #OUTSIDE_TABLE} for one in the other documentation prefixes. Idempotent.
   *
   * @throws IllegalArgumentException if a lab network's subnet contains {@code host}, naming it
   */
  public synchronized void routeOutsideHost(InetAddress host) {
    IpPrefix one = new IpPrefix(host, 32);
    Optional<Bridge> taken = overlapping(one);
    if (taken.isPresent()) {
      throw new IllegalArgumentException(InetAddresses.format(host) + " is inside " + label(taken.get())
          + ", so the lab would deliver it there, not to the outside world. Pick an address outside every lab"
          + " network's subnet, or give that network another subnet.");
    }
    if (outside == null || OUTSIDE_LINK.contains(host) || !outsideHosts.add(host)) {
      return;
    }
    netns.rtnetlink().addRoute(RouteRequest.to(one).via(OUTSIDE_ROUTER).dev(netns.rtnetlink().indexOf(UPLINK))
        .table(OUTSIDE_TABLE));
  }

  /**
   * Refuses a new bridge whose {@code subnet} would hide a range the lab uses itself: the underlay
   * of overlay networks, the outside world's link, or one of its hosts.
   */
  private void checkReservedRanges(IpPrefix subnet, String what) {
    if (!nodes.isEmpty() && subnet.overlaps(UNDERLAY)) {
      throw new IllegalArgumentException(what + " " + subnet + " overlaps " + UNDERLAY + ", the underlay that joins the"
          + " lab hosts of overlay networks; give it another subnet.");
    }
    if (outside == null) {
      return;
    }
    if (subnet.overlaps(OUTSIDE_LINK)) {
      throw new IllegalArgumentException(what + " " + subnet + " overlaps " + OUTSIDE_LINK + ", the outside world's"
          + " link to the lab (OutsideWorld.get() made it); give it another subnet.");
    }
    for (InetAddress h : outsideHosts) {
      if (subnet.contains(h)) {
        throw new IllegalArgumentException(what + " " + subnet + " contains " + InetAddresses.format(h) + ", a host of"
            + " the outside world (OutsideWorld.host(...)); give it another subnet.");
      }
    }
  }


  /** The JVM's lab host if something created it already; never creates it (for leak checks). */
  public static Optional<Lab> existing() {
    return Optional.ofNullable(instance);
  }

  /** The lab's namespace, e.g. to start a server "on the Docker host". */
  public Netns netns() {
    return netns;
  }

  /**
   * A bridge of the lab: its name, subnet, gateway address, MAC and endpoints' address pool; for
   * a user-defined network ({@link #network}), also the network's name and whether it is internal.
   */
  public static final class Bridge {
    private final String name;
    private final int index;
    private final IpPrefix subnet;
    private final InetAddress gateway;
    private final AddressPool pool;
    private final Optional<String> network;
    private final boolean internal;
    private final Optional<IpPrefix> subnet6;
    private final Lan lan; // null for a bridge
    private final Overlay overlay; // null unless an overlay network
    private volatile boolean quietIpv6;

    Bridge(String name, int index, IpPrefix subnet, InetAddress gateway, AddressPool pool, Optional<String> network,
        boolean internal, Optional<IpPrefix> subnet6) {
      this(name, index, subnet, gateway, pool, network, internal, subnet6, null, null);
    }

    Bridge(String name, int index, IpPrefix subnet, InetAddress gateway, AddressPool pool, Optional<String> network,
        boolean internal, Optional<IpPrefix> subnet6, Lan lan, Overlay overlay) {
      this.lan = lan;
      this.overlay = overlay;
      this.name = name;
      this.index = index;
      this.subnet = subnet;
      this.gateway = gateway;
      this.pool = pool;
      this.network = network;
      this.internal = internal;
      this.subnet6 = subnet6;
    }

    /**
     * From now on, endpoints' interfaces on this bridge get no IPv6 link-local address, so they
     * send no duplicate address detection, router solicitations or MLD reports, which the bridge
     * would flood to every port (see {@code LabNetwork.Builder#quietIpv6()}). Endpoints attached
     * before keep theirs.
     */
    public void quietIpv6(boolean quiet) {
      this.quietIpv6 = quiet;
    }

    /** Whether endpoints attached from now on get no IPv6 link-local address. */
    public boolean isQuietIpv6() {
      return quietIpv6;
    }

    /**
     * The driver: {@code bridge}, or {@code macvlan} / {@code ipvlan} for a network whose
     * endpoints are children of a parent interface in the lab ({@link #name()} is the parent's).
     */
    public String driver() {
      return overlay != null ? "overlay" : lan == null ? "bridge" : lan.kind();
    }

    /** For an overlay network: its VXLAN network identifier. */
    public OptionalInt vni() {
      return overlay == null ? OptionalInt.empty() : OptionalInt.of(overlay.vni());
    }

    /** For a macvlan or ipvlan network: the lab host's own address on the parent, which its endpoints cannot reach. */
    public Optional<InetAddress> parentAddress() {
      return lan == null ? Optional.empty() : Optional.ofNullable(lan.parentAddress());
    }

    /** The IPv6 subnet of a dual-stack network; empty for IPv4 only. */
    public Optional<IpPrefix> subnet6() {
      return subnet6;
    }

    /** The IPv6 gateway of a dual-stack network: the subnet's {@code ::1}. */
    public Optional<InetAddress> gateway6() {
      return subnet6.map(s -> s.offset(1));
    }

    /** The IPv6 address that goes with the IPv4 {@code address}: the same host number in the IPv6 subnet. */
    Optional<InetAddress> address6(InetAddress address) {
      long host = new BigInteger(1, address.getAddress()).subtract(new BigInteger(1, subnet.network().getAddress()))
          .longValueExact();
      return subnet6.map(s -> s.offset(host));
    }

    /** The user-defined network this bridge is ({@code backend}), or empty for a {@code @BridgeNetwork} bridge. */
    public Optional<String> network() {
      return network;
    }

    /**
     * Whether endpoints get no default route through this bridge: Docker's {@code --internal}.
     * The lab routes nothing anyway; this only decides the endpoints' routes.
     */
    public boolean isInternal() {
      return internal;
    }

    /** The bridge's interface name in the lab, e.g. {@code nsunit0}. */
    public String name() {
      return name;
    }

    /** The subnet, e.g. 172.17.0.0/16. */
    public IpPrefix subnet() {
      return subnet;
    }

    /** The bridge's own address, which endpoints use as their default gateway. */
    public InetAddress gateway() {
      return gateway;
    }

    /** The bridge's fixed MAC: 02:42 and the gateway's address, e.g. 02:42:ac:11:00:01. */
    public String mac() {
      return dockerMac(gateway);
    }
  }

  /**
   * Which endpoint had the lab-side veth {@code labVeth} and how long ago it ended, while its
   * bridge's address pool still waits for the veth to go: for a leak report.
   */
  public synchronized Optional<String> departureOf(String labVeth) {
    Set<Bridge> all = new HashSet<>(bridges.values());
    all.addAll(networks.values());
    for (Bridge b : all) {
      Optional<String> d = b.pool.departureOf(labVeth);
      if (d.isPresent()) {
        return d;
      }
    }
    return Optional.empty();
  }

  /**
   * The bridge for {@code subnet}, created on first use with {@code gateway} as its address and a
   * fixed MAC. Equivalent to: {@code ip link add nsunitN address 02:42:GW type bridge; ip addr add
   * GW/LEN dev nsunitN; ip link set nsunitN up; sysctl -w net.ipv4.conf.nsunitN.forwarding=1}.
   *
   * @throws IllegalArgumentException if the subnet's bridge exists with another gateway, or the
   *     subnet overlaps another bridge's
   */
  public synchronized Bridge bridge(IpPrefix subnet, InetAddress gateway) {
    Bridge existing = bridges.get(subnet);
    if (existing != null) {
      if (!existing.gateway.equals(gateway)) {
        throw new IllegalArgumentException("subnet " + subnet + " already has a bridge with gateway "
            + InetAddresses.format(existing.gateway) + "; every @BridgeNetwork on that subnet must use the same gateway, not "
            + InetAddresses.format(gateway));
      }
      return existing;
    }
    Optional<Bridge> overlap = overlapping(subnet);
    if (overlap.isPresent()) {
      Bridge b = overlap.get();
      throw new IllegalArgumentException("subnet " + subnet + " overlaps bridge " + b.name + " (" + b.subnet
          + "); give each @BridgeNetwork network a separate subnet");
    }
    checkReservedRanges(subnet, "the @BridgeNetwork subnet");
    return createBridge(subnet, gateway, Optional.empty(), false, Optional.empty());
  }

  /**
   * The user-defined network {@code name}, created on first use: a bridge of its own, like
   * {@code docker network create --subnet SUBNET --gateway GATEWAY [--internal] NAME}. Networks
   * live as long as the lab; asking again for the same name with the same definition returns the
   * same network.
   *
   * @param subnet the subnet, or null for the first free one of 172.18.0.0/16, 172.19.0.0/16, ...
   *     172.31.0.0/16, then 192.168.0.0/20, 192.168.16.0/20, ... (Docker's default pools)
   * @param gateway the bridge's address, or null for the subnet's first host
   * @throws IllegalArgumentException if {@code name} exists with another definition, or the
   *     subnet overlaps another bridge's
   */
  public synchronized Bridge network(String name, IpPrefix subnet, InetAddress gateway, boolean internal,
      IpPrefix subnet6) {
    return network(name, subnet, gateway, internal, subnet6, "bridge");
  }

  /**
   * Like {@link #network(String, IpPrefix, InetAddress, boolean, IpPrefix)} with a driver:
   * {@code bridge}, or {@code macvlan} / {@code ipvlan}, whose endpoints are children (bridge
   * mode, L2 mode) of a parent interface in the lab. The parent is one end of a veth whose other
   * end is the "physical" LAN: a namespace of its own that holds the gateway, as a router would,
   * and answers what it cannot route with an ICMP error. The lab host's own address on the parent
   * is the subnet's last host, which the endpoints cannot reach: the kernel does not pass frames
   * between a macvlan's parent and its children.
   *
   * @throws UnsupportedOperationException if the kernel lacks the driver, naming its Kconfig option
   */
  public synchronized Bridge network(String name, IpPrefix subnet, InetAddress gateway, boolean internal,
      IpPrefix subnet6, String driver) {
    Bridge existing = networks.get(name);
    if (existing != null) {
      boolean same = (subnet == null || existing.subnet.equals(subnet))
          && (gateway == null || existing.gateway.equals(gateway)) && existing.internal == internal
          && existing.subnet6.equals(Optional.ofNullable(subnet6)) && existing.driver().equals(driver);
      if (!same) {
        throw new IllegalArgumentException("network " + name + " already exists in the lab as " + describe(existing)
            + ", not " + describe(subnet, gateway, internal) + "; a network keeps its definition as long as the lab"
            + " lives (the JVM). Declare it the same way everywhere, or give the other one another name.");
      }
      return existing;
    }
    IpPrefix chosen = subnet != null ? subnet : freeSubnet(name);
    InetAddress gw = gateway != null ? gateway : chosen.offset(1);
    Optional<Bridge> overlap = overlapping(chosen);
    if (overlap.isPresent()) {
      Bridge b = overlap.get();
      throw new IllegalArgumentException("network " + name + "'s subnet " + chosen + " overlaps "
          + (b.network.isPresent() ? "network " + b.network.get() : "the @BridgeNetwork bridge " + b.name) + " ("
          + b.subnet + "); two networks cannot share addresses (Docker refuses overlapping networks too). Give "
          + name + " a subnet of its own.");
    }
    checkReservedRanges(chosen, "network " + name + "'s subnet");
    if (subnet6 != null) {
      if (128 - subnet6.length() < 32 - chosen.length()) {
        throw new IllegalArgumentException("network " + name + "'s IPv6 subnet " + subnet6 + " has fewer addresses than"
            + " its IPv4 subnet " + chosen + "; an endpoint's IPv6 address has the host number of its IPv4 address."
            + " Use an IPv6 prefix of /" + (96 + chosen.length()) + " or shorter, e.g. /64.");
      }
      for (Bridge b : bridges.values()) {
        if (b.subnet6.isPresent() && b.subnet6.get().overlaps(subnet6)) {
          throw new IllegalArgumentException("network " + name + "'s IPv6 subnet " + subnet6 + " overlaps " + label(b)
              + "'s " + b.subnet6.get() + "; give " + name + " an IPv6 subnet of its own.");
        }
      }
    }
    Bridge bridge = driver.equals("bridge") ? createBridge(chosen, gw, Optional.of(name), internal, Optional.ofNullable(subnet6))
        : driver.equals("overlay") ? createOverlay(chosen, gw, name, internal)
        : createLan(chosen, gw, name, internal, driver);
    networks.put(name, bridge);
    if (internal && nftables && bridge.lan == null && bridge.overlay == null) {
      // --internal: nothing from this network is forwarded to the outside world, should it exist
      try (Nftables nft = netns.call(Nftables::open)) {
        NftRuleset.rejectForwarding(bridge.name, UPLINK).applyTo(nft);
      } catch (Exception e) {
        throw new IllegalStateException("cannot keep internal network " + name + " from the outside world", e);
      }
    }
    return bridge;
  }

  /** The user-defined network {@code name}, if it exists. */
  public synchronized Optional<Bridge> existingNetwork(String name) {
    return Optional.ofNullable(networks.get(name));
  }

  private IpPrefix freeSubnet(String name) {
    List<IpPrefix> candidates = new ArrayList<>();
    for (int second = 18; second <= 31; second++) {
      candidates.add(IpPrefix.parse("172." + second + ".0.0/16"));
    }
    for (int third = 0; third < 256; third += 16) {
      candidates.add(IpPrefix.parse("192.168." + third + ".0/20"));
    }
    for (IpPrefix candidate : candidates) {
      if (overlapping(candidate).isEmpty()) {
        return candidate;
      }
    }
    throw new IllegalStateException("no free subnet for network " + name + ": Docker's default pools (172.18.0.0/16"
        + " to 172.31.0.0/16, 192.168.0.0/20 to 192.168.240.0/20) are all used by the lab's bridges. Give " + name
        + " a subnet.");
  }

  /** A bridge whose subnet shares addresses with {@code subnet}, if there is one. The caller holds this. */
  private Optional<Bridge> overlapping(IpPrefix subnet) {
    return bridges.values().stream()
        .filter(b -> b.subnet.overlaps(subnet))
        .findFirst();
  }

  /** A bridge as messages name it: {@code network backend (172.18.0.0/16)}. */
  private static String label(Bridge b) {
    return b.network.map(n -> "network " + n).orElse("the @BridgeNetwork bridge " + b.name) + " (" + b.subnet + ")";
  }

  private static String describe(Bridge b) {
    return describe(b.subnet, b.gateway, b.internal);
  }

  private static String describe(IpPrefix subnet, InetAddress gateway, boolean internal) {
    return "subnet " + (subnet == null ? "(any)" : subnet) + ", gateway "
        + (gateway == null ? "(first host)" : InetAddresses.format(gateway)) + (internal ? ", internal" : "");
  }

  private Bridge createBridge(IpPrefix subnet, InetAddress gateway, Optional<String> network, boolean internal,
      Optional<IpPrefix> subnet6) {
    String name = "nsunit" + bridges.size();
    Rtnetlink rt = netns.rtnetlink();
    rt.add(LinkRequest.bridge(name).mac(dockerMac(gateway)).up());
    int index = rt.indexOf(name);
    rt.addAddress(index, new IpPrefix(gateway, subnet.length()));
    if (subnet6.isPresent()) {
      rt.addAddress(index, new IpPrefix(subnet6.get().offset(1), subnet6.get().length())); // nodad: usable at once
    }
    // forwarding only lets the lab answer refused packets with an ICMP error; the rule routes nothing
    Ipv4DevConfRequest.forwarding(index, true).sendOn(rt);
    Bridge bridge = new Bridge(name, index, subnet, gateway,
        new AddressPool(subnet, gateway, name, veth -> rt.link(veth).isPresent()), network, internal, subnet6);
    bridges.put(subnet, bridge);
    return bridge;
  }

  // ---- overlay networks and the lab hosts they span ----

  /** The underlay that joins the lab hosts: the JVM's lab host is .1 (its bridge), the others .2, .3, ... */
  public static final IpPrefix UNDERLAY = IpPrefix.parse("198.19.255.0/24");
  /** The underlay bridge in the JVM's lab host. */
  static final String UNDERLAY_BRIDGE = "nsunit-ul";
  /** Docker's overlay MTU: 1500 minus VXLAN's 50 bytes. */
  public static final int OVERLAY_MTU = 1450;
  /** VXLAN's IANA port, which Docker's overlay uses. */
  public static final int VXLAN_PORT = 4789;

  /** A lab host that overlay networks span: its namespace, its underlay interface and address. */
  record Node(String name, Netns netns, int underlayIndex, InetAddress underlayAddress) {}

  /** One overlay network on one lab host: its bridge and VXLAN device there. */
  record Segment(Node node, int bridgeIndex, int vxlanIndex) {}

  /** An overlay network: its VNI and its segments by lab host name. */
  record Overlay(int vni, Map<String, Segment> segments) {}

  private Bridge createOverlay(IpPrefix subnet, InetAddress gateway, String network, boolean internal) {
    KernelFeatures.require(KernelFeatures.Feature.VXLAN);
    int vni = 4096 + overlays++;
    Overlay ov = new Overlay(vni, new LinkedHashMap<>());
    AddressPool pool = new AddressPool(subnet, gateway, "overlay " + network, veth -> veth != null
        && ov.segments().values().stream().anyMatch(s -> s.node().netns().rtnetlink().link(veth).isPresent()));
    Bridge b = new Bridge("vx" + vni, -1, subnet, gateway, pool, Optional.of(network), internal, Optional.empty(), null,
        ov);
    bridges.put(subnet, b);
    return b;
  }

  /**
   * The lab host {@code name}, created on first use: {@code null} or empty is the JVM's own (its
   * underlay interface is the underlay bridge), any other name a namespace of its own on the
   * underlay, as a second Docker host on the same LAN.
   */
  private Node node(String name) {
    String key = name == null || name.isEmpty() ? "" : name;
    Node n = nodes.get(key);
    if (n != null) {
      return n;
    }
    Rtnetlink rt = netns.rtnetlink();
    if (!nodes.containsKey("")) {
      Optional<Bridge> clash = overlapping(UNDERLAY);
      if (clash.isPresent()) {
        throw new IllegalStateException("the lab hosts of overlay networks meet on " + UNDERLAY + ", but "
            + label(clash.get()) + " uses it already; give that network another subnet.");
      }
      rt.add(LinkRequest.bridge(UNDERLAY_BRIDGE).up());
      int index = rt.indexOf(UNDERLAY_BRIDGE);
      rt.addAddress(index, new IpPrefix(UNDERLAY.offset(1), UNDERLAY.length()));
      nodes.put("", new Node("", netns, index, UNDERLAY.offset(1)));
    }
    if (key.isEmpty()) {
      return nodes.get("");
    }
    int number = nodes.size(); // the JVM's lab host is 1, this one the next
    InetAddress address = UNDERLAY.offset(number + 1);
    String port = "nsunit-ul" + number;
    Netns host = Netns.createUnpooled("lab host " + key);
    try {
      rt.add(LinkRequest.veth(port, "eth0", host.fd()).master(rt.indexOf(UNDERLAY_BRIDGE)).up());
      Rtnetlink hostRt = host.rtnetlink();
      int eth0 = hostRt.indexOf("eth0");
      hostRt.batch(new Rtnetlink.Batch().addAddress(eth0, new IpPrefix(address, UNDERLAY.length())).setUp(eth0));
      n = new Node(key, host, eth0, address);
      nodes.put(key, n);
      return n;
    } catch (RuntimeException e) {
      host.close();
      throw e;
    }
  }

  /**
   * The overlay {@code b}'s segment on lab host {@code hostName}, created on first use: a bridge
   * and a VXLAN port on it that floods to every other segment, and every other segment now
   * floods to this one. Equivalent to, on the lab host: {@code ip link add ovVNI mtu 1450 type
   * bridge; ip link add vxVNI type vxlan id VNI local UNDERLAY dev eth0 dstport 4789 mtu 1450
   * master ovVNI; bridge fdb append 00:00:00:00:00:00 dev vxVNI dst PEER} for each peer.
   */
  private Segment segment(Bridge b, String hostName) {
    String key = hostName == null ? "" : hostName;
    Segment s = b.overlay.segments().get(key);
    if (s != null) {
      return s;
    }
    Node node = node(key);
    Rtnetlink rt = node.netns().rtnetlink();
    int vni = b.overlay.vni();
    rt.add(LinkRequest.bridge("ov" + vni).mtu(OVERLAY_MTU).up());
    int bridgeIndex = rt.indexOf("ov" + vni);
    rt.add(LinkRequest.vxlan("vx" + vni, vni).local(node.underlayAddress()).underlay(node.underlayIndex())
        .port(VXLAN_PORT).mtu(OVERLAY_MTU).master(bridgeIndex).up());
    int vxlanIndex = rt.indexOf("vx" + vni);
    for (Segment other : b.overlay.segments().values()) {
      FdbRequest.floodTo(vxlanIndex, other.node().underlayAddress()).sendOn(rt);
      FdbRequest.floodTo(other.vxlanIndex(), node.underlayAddress()).sendOn(other.node().netns().rtnetlink());
    }
    s = new Segment(node, bridgeIndex, vxlanIndex);
    b.overlay.segments().put(key, s);
    return s;
  }

  /** The namespace of lab host {@code name} if it exists ({@code ""}: the JVM's own), for tests and messages. */
  public synchronized Optional<Netns> labHost(String name) {
    return Optional.ofNullable(nodes.get(name)).map(Node::netns);
  }

  /** A macvlan or ipvlan network's parent side: the driver, the LAN namespace, the lab host's address. */
  record Lan(String kind, Netns lanNamespace, InetAddress parentAddress) {}

  private Bridge createLan(IpPrefix subnet, InetAddress gateway, String network, boolean internal, String kind) {
    KernelFeatures.require(kind.equals("macvlan") ? KernelFeatures.Feature.MACVLAN : KernelFeatures.Feature.IPVLAN);
    String parent = "nsunit-" + (kind.equals("macvlan") ? "mv" : "iv") + lans.size();
    Netns lan = Netns.createUnpooled("lan of network " + network);
    try {
      Rtnetlink rt = netns.rtnetlink();
      rt.add(LinkRequest.veth(parent, "eth0", lan.fd()).up());
      int parentIndex = rt.indexOf(parent);
      // the "Docker host's" own address on the LAN: the last host, where there is room for it
      InetAddress parentAddress = subnet.size() >= 8 ? subnet.offset(subnet.size() - 2) : null;
      if (parentAddress != null) {
        rt.addAddress(parentIndex, new IpPrefix(parentAddress, subnet.length()));
      }
      Rtnetlink lanRt = lan.rtnetlink();
      int eth0 = lanRt.indexOf("eth0");
      lanRt.batch(new Rtnetlink.Batch().addAddress(eth0, new IpPrefix(gateway, subnet.length())).setUp(eth0));
      RejectRouteRequest.unreachable(IpPrefix.parse("0.0.0.0/0")).sendOn(lanRt); // the LAN leads nowhere else
      Ipv4DevConfRequest.forwarding(eth0, true).sendOn(lanRt); // so that its router answers with ICMP errors
      AddressPool pool = new AddressPool(subnet, gateway, parent, veth -> veth != null && rt.link(veth).isPresent());
      if (parentAddress != null) {
        pool.reserve(parentAddress, "the lab host");
      }
      Bridge b = new Bridge(parent, parentIndex, subnet, gateway, pool, Optional.of(network), internal,
          Optional.empty(), new Lan(kind, lan, parentAddress), null);
      lans.add(lan);
      bridges.put(subnet, b);
      return b;
    } catch (RuntimeException e) {
      lan.close(); // takes the veth with it
      throw e;
    }
  }

  /** The namespaces the lab holds for as long as it lives besides its own: the outside world, LANs. */
  public synchronized List<Netns> ownedNamespaces() {
    List<Netns> out = new ArrayList<>(lans);
    if (outside != null) {
      out.add(outside);
    }
    for (Node n : nodes.values()) {
      if (!n.name().isEmpty()) {
        out.add(n.netns());
      }
    }
    return out;
  }

  /**
   * One interface of an endpoint on a bridge, with the address it holds until {@link #close()}:
   * what Docker calls an endpoint of a network.
   */
  public static final class Attachment implements AutoCloseable {
    private final Netns lab;
    private final Netns endpoint;
    private final boolean ownsEndpoint;
    private final String endpointName;
    private final Bridge bridge;
    private final String interfaceName;
    private final InetAddress address;
    private final String labVeth;
    private final int labVethIndex;
    private final int bridgeIndex;
    private boolean closed;

    Attachment(Netns lab, Netns endpoint, boolean ownsEndpoint, String endpointName, Bridge bridge,
        String interfaceName, InetAddress address, String labVeth, int labVethIndex, int bridgeIndex) {
      this.lab = lab;
      this.endpoint = endpoint;
      this.ownsEndpoint = ownsEndpoint;
      this.endpointName = endpointName;
      this.bridge = bridge;
      this.interfaceName = interfaceName;
      this.address = address;
      this.labVeth = labVeth;
      this.labVethIndex = labVethIndex;
      this.bridgeIndex = bridgeIndex;
    }

    /** The namespace the lab side of a veth lives in: the JVM's lab host, or an overlay's lab host. */
    public Netns labHost() {
      return lab;
    }

    /** The lab-side veth's ifindex in {@link #labHost()}, or -1 for a macvlan or ipvlan child (which has none). */
    public int labVethIndex() {
      return labVethIndex;
    }

    /** The ifindex of the bridge the lab-side veth is a port of, in {@link #labHost()}; -1 for a child. */
    public int bridgeIndex() {
      return bridgeIndex;
    }

    /** The endpoint's namespace. */
    public Netns endpoint() {
      return endpoint;
    }

    /** The endpoint's address on the bridge. */
    public InetAddress address() {
      return address;
    }

    /** The IPv6 address on a dual-stack network: the IPv4 address's host number in the IPv6 subnet. */
    public Optional<InetAddress> address6() {
      return bridge.address6(address);
    }

    /** The interface's name in the endpoint: {@code eth0}, {@code eth1}, ... */
    public String interfaceName() {
      return interfaceName;
    }

    /** The lab-side veth's name (it disappears with the endpoint's namespace). */
    public String labVeth() {
      return labVeth;
    }

    /** The bridge the endpoint hangs off. */
    public Bridge bridge() {
      return bridge;
    }

    /** Whether {@link #close()} has run. */
    public synchronized boolean isClosed() {
      return closed;
    }

    /**
     * Ends the attachment: cuts its port off the bridge (no frame reaches it or leaves it from
     * now on) and returns its address to the pool, which hands it out again once the port is
     * gone. If the attachment made its endpoint's namespace, it closes it (the kernel then deletes
     * the veth pair, asynchronously); otherwise the veth goes when the namespace does, or at
     * {@link #detach()}. Idempotent.
     */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      FailureCollector failures = new FailureCollector();
      failures.run(bridge.lan == null ? () -> cutOff(lab, labVethIndex) : this::childDown);
      if (ownsEndpoint) {
        failures.run(endpoint::close);
      }
      bridge.pool.release(address, endpointName, labVeth, endpoint.id().cookie());
      failures.throwIfAny();
    }

    /** Sets a macvlan or ipvlan child down from inside its namespace: it stops at once, as a cut-off port does. */
    private void childDown() {
      if (endpoint.isClosed()) {
        return; // gone with its namespace
      }
      try {
        endpoint.rtnetlink().setUp(interfaceName, false);
      } catch (NetlinkException e) {
        if (e.errno() != ENODEV) {
          throw e;
        }
      }
    }

    /**
     * Takes the interface out of a namespace that lives on, like {@code docker network
     * disconnect}: cuts the port off, deletes the veth pair now (which waits for the kernel's RCU
     * grace periods, tens of milliseconds) and returns the address. Routes through the interface
     * go with it. Idempotent; for an attachment that owns its namespace, the same as close().
     */
    public synchronized void detach() {
      if (closed || ownsEndpoint) {
        close();
        return;
      }
      closed = true;
      FailureCollector failures = new FailureCollector();
      failures.run(bridge.lan == null ? () -> cutOff(lab, labVethIndex) : this::childDown);
      failures.run(() -> {
        try {
          if (bridge.lan == null) {
            lab.rtnetlink().delete(labVethIndex);
          } else {
            endpoint.rtnetlink().delete(endpoint.rtnetlink().indexOf(interfaceName));
          }
        } catch (NetlinkException e) {
          if (e.errno() != ENODEV) {
            throw e;
          }
        }
      });
      bridge.pool.release(address, endpointName, labVeth, endpoint.id().cookie());
      failures.throwIfAny();
    }
  }

  /**
   * Creates the endpoint's interface as a child of a macvlan or ipvlan network's parent, directly
   * in the endpoint's namespace ({@code ip link add NAME link PARENT netns NS type macvlan mode
   * bridge}), with the next free address (or {@code fixedAddress}) and a default route via the
   * LAN's gateway. The MAC is the kernel's random one: a child that a dying namespace still holds
   * keeps its MAC on the parent for a while, and a derived MAC would then collide.
   */
  private Attachment connectChild(Netns endpoint, boolean ownsEndpoint, String endpointName, Bridge bridge,
      String interfaceName, InetAddress fixedAddress, int mtu, boolean defaultRoute) {
    InetAddress address = bridge.pool.take(fixedAddress, endpointName);
    LinkRequest child = bridge.lan.kind().equals("macvlan")
        ? LinkRequest.macvlan(interfaceName, bridge.index, LinkRequest.MacvlanMode.BRIDGE)
        : LinkRequest.ipvlan(interfaceName, bridge.index, LinkRequest.IpvlanMode.L2);
    int index = -1;
    try {
      netns.rtnetlink().add(child.netns(endpoint.fd()).mtu(mtu));
      Rtnetlink inside = endpoint.rtnetlink();
      index = inside.indexOf(interfaceName);
      Rtnetlink.Batch batch = new Rtnetlink.Batch()
          .addAddress(index, new IpPrefix(address, bridge.subnet.length()))
          .setUp(index);
      if (defaultRoute) {
        batch.addRoute(RouteRequest.defaultVia(bridge.gateway));
      }
      inside.batch(batch);
      return new Attachment(netns, endpoint, ownsEndpoint, endpointName, bridge, interfaceName, address, null, -1, -1);
    } catch (RuntimeException e) {
      if (!ownsEndpoint && index >= 0) {
        try {
          endpoint.rtnetlink().delete(index);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      bridge.pool.release(address, endpointName, null, endpoint.id().cookie());
      throw e;
    }
  }

  /**
   * Disables the lab-side port {@code index} and flushes what the bridge learned on it: one
   * request that waits for no RCU grace period. A port that is already gone needs nothing.
   */
  private static void cutOff(Netns lab, int index) {
    try {
      BridgePortRequest.disable(index).sendOn(lab.rtnetlink());
    } catch (NetlinkException e) {
      if (e.errno() != ENODEV) {
        throw e;
      }
    }
  }

  /**
   * Creates a namespace attached to {@code bridge} like a container on Docker's bridge network:
   * {@code eth0} (a veth whose peer is a port of the bridge) with the next free address (or
   * {@code fixedAddress}), a Docker-style MAC (02:42 + the IPv4 address), the given MTU, the link
   * route and {@code default via GATEWAY}. The attachment owns the namespace: closing it closes
   * the namespace. On any failure nothing is left behind.
   */
  public Attachment attach(String endpointName, Bridge bridge, InetAddress fixedAddress, int mtu) {
    if (mtu == NamespacePool.PORT_MTU && bridge.lan == null && bridge.overlay == null) {
      NamespacePool.Port port = NamespacePool.shared().takePort(netns, bridge.index);
      if (port != null) {
        return configurePort(port, endpointName, bridge, fixedAddress);
      }
    }
    Netns endpoint = Netns.create("endpoint " + endpointName);
    try {
      return connect(endpoint, true, endpointName, bridge, "eth0", fixedAddress, mtu, true);
    } catch (RuntimeException e) {
      endpoint.close(); // takes the veth pair with it, if it was made
      throw e;
    }
  }

  /**
   * Adds an interface on {@code bridge} to the existing namespace {@code endpoint}, like
   * {@code docker network connect}: a veth called {@code interfaceName} in the endpoint whose
   * peer is a port of the bridge, with the next free address (or {@code fixedAddress}), a
   * Docker-style MAC, the given MTU, the link route and, if {@code defaultRoute}, a default route
   * via the bridge's gateway. On failure the address is returned and the veth pair deleted.
   *
   * @param ownsEndpoint whether closing the attachment closes {@code endpoint}
   */
  public Attachment connect(Netns endpoint, boolean ownsEndpoint, String endpointName, Bridge bridge,
      String interfaceName, InetAddress fixedAddress, int mtu, boolean defaultRoute) {
    return connect(endpoint, ownsEndpoint, endpointName, bridge, interfaceName, fixedAddress, mtu, defaultRoute, null);
  }

  /**
   * Like {@link #connect(Netns, boolean, String, Bridge, String, InetAddress, int, boolean)}; for
   * an overlay network, on lab host {@code labHost} (null: the JVM's own), with the overlay's MTU
   * and no default route (an overlay has no gateway).
   */
  public Attachment connect(Netns endpoint, boolean ownsEndpoint, String endpointName, Bridge bridge,
      String interfaceName, InetAddress fixedAddress, int mtu, boolean defaultRoute, String labHost) {
    if (bridge.overlay != null) {
      Segment s;
      synchronized (this) {
        s = segment(bridge, labHost);
      }
      return attachVeth(s.node().netns(), s.bridgeIndex(), endpoint, ownsEndpoint, endpointName, bridge, interfaceName,
          fixedAddress, OVERLAY_MTU, false);
    }
    if (bridge.lan != null) {
      return connectChild(endpoint, ownsEndpoint, endpointName, bridge, interfaceName, fixedAddress, mtu, defaultRoute);
    }
    return attachVeth(netns, bridge.index, endpoint, ownsEndpoint, endpointName, bridge, interfaceName, fixedAddress,
        mtu, defaultRoute);
  }

  /** The veth half of {@link #connect}: a port of bridge {@code bridgeIndex} in {@code host}, its peer in the endpoint. */
  private Attachment attachVeth(Netns host, int bridgeIndex, Netns endpoint, boolean ownsEndpoint, String endpointName,
      Bridge bridge, String interfaceName, InetAddress fixedAddress, int mtu, boolean defaultRoute) {
    InetAddress address = bridge.pool.take(fixedAddress, endpointName);
    String labVeth = nextVethName();
    Rtnetlink labRt = host.rtnetlink();
    int labVethIndex = -1;
    try {
      labRt.add(LinkRequest.veth(labVeth, interfaceName, endpoint.fd()).master(bridgeIndex).mtu(mtu).up());
      labVethIndex = labRt.indexOf(labVeth);
      Rtnetlink inside = endpoint.rtnetlink();
      int index = inside.indexOf(interfaceName);
      inside.batch(configuration(index, address, bridge, defaultRoute));
      return new Attachment(host, endpoint, ownsEndpoint, endpointName, bridge, interfaceName, address, labVeth,
          labVethIndex, bridgeIndex);
    } catch (RuntimeException e) {
      if (!ownsEndpoint && labVethIndex >= 0) {
        try {
          labRt.delete(labVethIndex);
        } catch (RuntimeException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      bridge.pool.release(address, endpointName, labVeth, endpoint.id().cookie());
      throw e;
    }
  }

  /**
   * Finishes a pooled port as {@link #attachVeth} would have built it: the next free address (or
   * {@code fixedAddress}), its MAC, the address, eth0 up and the default routes, in one request.
   */
  private Attachment configurePort(NamespacePool.Port port, String endpointName, Bridge bridge,
      InetAddress fixedAddress) {
    Netns endpoint = Netns.adopt(port.namespace(), "endpoint " + endpointName);
    try {
      InetAddress address = bridge.pool.take(fixedAddress, endpointName);
      try {
        endpoint.rtnetlink().batch(configuration(port.eth0Index(), address, bridge, true));
        return new Attachment(netns, endpoint, true, endpointName, bridge, "eth0", address, port.labVeth(),
            port.labVethIndex(), bridge.index);
      } catch (RuntimeException e) {
        bridge.pool.release(address, endpointName, port.labVeth(), endpoint.id().cookie());
        throw e;
      }
    } catch (RuntimeException e) {
      endpoint.close(); // takes the veth pair with it
      throw e;
    }
  }

  /**
   * The one request that makes a fresh, down veth {@code index} an endpoint's interface on
   * {@code bridge}: the Docker MAC (while it is down), no IPv6 link-local address on a quiet
   * bridge (before it goes up: then it never has one), the address(es), up, and with
   * {@code defaultRoute} the default route(s) via the bridge's gateway(s).
   */
  private static Rtnetlink.Batch configuration(int index, InetAddress address, Bridge bridge, boolean defaultRoute) {
    Rtnetlink.Batch batch = new Rtnetlink.Batch().setMac(index, dockerMac(address));
    if (bridge.quietIpv6) {
      batch.noIpv6LinkLocal(index);
    }
    batch.addAddress(index, new IpPrefix(address, bridge.subnet.length())).setUp(index);
    bridge.address6(address).ifPresent(a -> batch.addAddress(index, new IpPrefix(a, bridge.subnet6.get().length())));
    if (defaultRoute) {
      batch.addRoute(RouteRequest.defaultVia(bridge.gateway));
      bridge.gateway6().ifPresent(g -> batch.addRoute(RouteRequest.defaultVia(g)));
    }
    return batch;
  }

  /** The name of a new lab-side veth: {@code nsuv} and a number unique in this JVM. */
  static String nextVethName() {
    return "nsuv" + Integer.toHexString(VETHS.incrementAndGet());
  }

  private static String dockerMac(InetAddress ipv4) {
    byte[] a = ipv4.getAddress();
    return String.format("02:42:%02x:%02x:%02x:%02x", a[0] & 0xff, a[1] & 0xff, a[2] & 0xff, a[3] & 0xff);
  }
}
