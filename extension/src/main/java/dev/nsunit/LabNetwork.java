package dev.nsunit;

import static dev.nsunit.KernelFailures.translate;
import static java.util.Objects.requireNonNull;

import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A user-defined network in the lab, like {@code docker network create}: a bridge of its own
 * with a subnet and a gateway (the lab host's address on it). Endpoints on one network reach
 * each other; endpoints on different networks do not, unless one endpoint is on both, and then
 * only that endpoint reaches both (nothing is routed between networks, as in Docker).
 *
 * <pre>{@code
 * LabNetwork backend = LabNetwork.create("backend", "172.18.0.0/16");
 * try (NetworkNamespace db = NetworkNamespace.create("db");
 *      NetworkNamespace api = NetworkNamespace.create("api")) {
 *   backend.connect(db, "database");              // docker network connect --alias database backend db
 *   backend.connect(api);                         // eth0 172.18.0.3/16, default via 172.18.0.1
 *   InetAddress dbAddress = db.ipv4Address("backend").orElseThrow();
 *   backend.disconnect(db);                       // docker network disconnect backend db
 * }
 * }</pre>
 *
 * <p><b>Lifetime.</b> A network lives as long as the lab, that is the JVM, and disappears with
 * it, however the JVM ends. Creating a network that exists with the same definition returns it;
 * with another definition it fails. An endpoint's interfaces go when its namespace is closed.
 *
 * <p><b>Threads.</b> All methods are thread-safe.
 */
public final class LabNetwork {
  /** The name of Docker's default network, which {@code @BridgeNetwork} endpoints are on. */
  public static final String DEFAULT_BRIDGE = "bridge";

  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]*");
  private static final Pattern ALIAS = Pattern.compile("[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?(\\.[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)*");
  private static final IpPrefix DEFAULT_SUBNET = IpPrefix.parse("172.17.0.0/16");
  private static final int MTU = 1500;

  private final String name;
  private final Lab.Bridge bridge;

  private LabNetwork(String name, Lab.Bridge bridge) {
    this.name = name;
    this.bridge = bridge;
  }

  /**
   * Whether endpoints on this network find each other by name, as on Docker's user-defined
   * networks; Docker's default {@code bridge} network has no names.
   */
  boolean hasNames() {
    return bridge.network().isPresent();
  }

  /**
   * Creates the network {@code name} on the first free subnet of Docker's default pools
   * (172.18.0.0/16, 172.19.0.0/16, ...), like {@code docker network create NAME}.
   *
   * @throws IllegalArgumentException if the name is not a valid network name, or the network
   *     exists with another definition
   * @throws KernelException if the kernel refuses (no CAP_NET_ADMIN, no bridge support)
   */
  public static LabNetwork create(String name) {
    return builder(name).create();
  }

  /**
   * Creates the network {@code name} with {@code subnet}, its gateway the subnet's first host,
   * like {@code docker network create --subnet SUBNET NAME}.
   *
   * @throws IllegalArgumentException if the name or subnet is invalid (not IPv4 CIDR, host bits
   *     set, a special-purpose range such as 127.0.0.0/8, longer than /30), the subnet overlaps
   *     another network's, or the network exists with another definition
   */
  public static LabNetwork create(String name, String subnet) {
    return builder(name).subnet(subnet).create();
  }

  /** A network with more settings: {@code LabNetwork.builder("db").subnet("10.9.0.0/24").internal().create()}. */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** Docker's default network, {@code bridge}: 172.17.0.0/16, gateway 172.17.0.1, the one {@link BridgeNetwork} uses. */
  public static LabNetwork bridge() {
    requireFeatures();
    return new LabNetwork(DEFAULT_BRIDGE, translate(() -> Lab.get().bridge(DEFAULT_SUBNET, DEFAULT_SUBNET.offset(1))));
  }

  /** The network {@code d} defines, created in the lab if it does not exist yet. */
  static LabNetwork of(NetworkDefinition d) {
    requireFeatures();
    return new LabNetwork(d.name(), translate(() -> Lab.get().network(d.name(), d.subnet(), d.gateway(), d.internal(),
        d.subnet6(), d.driver().dockerName())));
  }

  /**
   * The network a {@code @BridgeNetwork} bridge is: Docker's {@code bridge} for the default
   * subnet, and for another subnet a network named after it (there is one bridge per subnet).
   */
  static LabNetwork defaultBridge(Lab.Bridge bridge) {
    return new LabNetwork(bridge.subnet().equals(DEFAULT_SUBNET) ? DEFAULT_BRIDGE : "bridge " + bridge.subnet(), bridge);
  }

  /** The network called {@code name} if it exists in this JVM's lab ({@code bridge} always does). */
  public static Optional<LabNetwork> named(String name) {
    requireNonNull(name, "name is null; pass a network's name, e.g. \"backend\"");
    if (name.equals(DEFAULT_BRIDGE)) {
      return Optional.of(bridge());
    }
    return Lab.existing().flatMap(lab -> lab.existingNetwork(name)).map(b -> new LabNetwork(name, b));
  }

  /** The network's name. */
  public String name() {
    return name;
  }

  /** The subnet, e.g. {@code 172.18.0.0/16}. */
  public IpPrefix subnet() {
    return bridge.subnet();
  }

  /** The gateway: the lab host's address on the network, endpoints' default route. */
  public InetAddress gateway() {
    return bridge.gateway();
  }

  /** The driver ({@code docker network inspect}'s {@code Driver}). */
  public NetworkDriver driver() {
    String d = bridge.driver();
    for (NetworkDriver n : NetworkDriver.values()) {
      if (n.dockerName().equals(d)) {
        return n;
      }
    }
    throw new IllegalStateException("unknown driver " + d);
  }

  /** The IPv6 subnet of a dual-stack network ({@code --ipv6 --subnet}); empty for IPv4 only. */
  public Optional<IpPrefix> ipv6Subnet() {
    return bridge.subnet6();
  }

  /** The IPv6 gateway of a dual-stack network (the subnet's {@code ::1}); empty for IPv4 only. */
  public Optional<InetAddress> ipv6Gateway() {
    return bridge.gateway6();
  }

  /** Whether endpoints get no default route through it ({@code docker network create --internal}). */
  public boolean isInternal() {
    return bridge.isInternal();
  }

  Lab.Bridge labBridge() {
    return bridge;
  }

  /**
   * Connects {@code endpoint} to this network, like {@code docker network connect [--alias A]
   * NETWORK CONTAINER}: a new interface {@code ethN} (the next free number) with the next free
   * address, a Docker-style MAC and the link route; and the default route via this network's
   * gateway if the network is not internal and the endpoint has no default route yet.
   *
   * @param aliases other names of the endpoint on this network
   * @return the new interface
   * @throws IllegalArgumentException if {@code endpoint} is the JVM's own namespace (nsunit never
   *     changes the real host), was not created by nsunit, is connected already, or an alias is
   *     invalid or taken on this network
   * @throws IllegalStateException if {@code endpoint} is closed, or the subnet has no free address
   */
  public NetworkAttachment connect(NetworkNamespace endpoint, String... aliases) {
    return connect(endpoint, null, aliases);
  }

  /**
   * Like {@link #connect(NetworkNamespace, String...)} with a fixed address, like
   * {@code docker network connect --ip ADDRESS}.
   *
   * @param address a host address of the subnet, not the gateway; null for the next free one
   */
  public NetworkAttachment connect(NetworkNamespace endpoint, InetAddress address, String... aliases) {
    return connect(endpoint, address, null, aliases);
  }

  /**
   * Like {@link #connect(NetworkNamespace, String...)}, for an overlay network
   * ({@link NetworkDriver#OVERLAY}): the endpoint lives on lab host {@code labHost} (a simulated
   * Docker host, created on first use, e.g. {@code "node2"}), whose bridge for this network
   * carries the overlay's VXLAN to the other lab hosts.
   *
   * @throws IllegalArgumentException if this is not an overlay network, or {@code labHost} is not a valid name
   */
  public NetworkAttachment connectOn(String labHost, NetworkNamespace endpoint, String... aliases) {
    requireNonNull(labHost, "labHost is null; pass a lab host's name, e.g. \"node2\"");
    if (driver() != NetworkDriver.OVERLAY) {
      throw new IllegalArgumentException("network " + name + " is a " + driver().dockerName() + " network, which lives on"
          + " the JVM's own lab host only; only overlay networks span lab hosts. Use connect(...), or create the"
          + " network with driver(NetworkDriver.OVERLAY).");
    }
    if (!isValidName(labHost)) {
      throw new IllegalArgumentException("\"" + labHost + "\" is not a lab host name: letters, digits, '_', '.' and '-',"
          + " e.g. \"node2\".");
    }
    return connect(endpoint, null, labHost, aliases);
  }

  private NetworkAttachment connect(NetworkNamespace endpoint, InetAddress address, String labHost, String... aliases) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace to connect");
    if (labHost == null && driver() == NetworkDriver.OVERLAY) {
      throw new IllegalArgumentException("network " + name + " is an overlay network, which spans lab hosts (simulated"
          + " Docker hosts); say which one " + endpoint.name() + " lives on: connectOn(\"node1\", endpoint).");
    }
    requireNonNull(aliases, "aliases is null; pass none, or names such as \"db\"");
    if (endpoint.isHost()) {
      throw new IllegalArgumentException("cannot connect " + endpoint + " to network " + name + ": it is the JVM's"
          + " own namespace, and nsunit never changes the real host's network. Connect a namespace nsunit created:"
          + " NetworkNamespace.create(), or an endpoint.");
    }
    if (!endpoint.createdByNsunit()) {
      throw new IllegalArgumentException("cannot connect " + endpoint + " to network " + name + ": nsunit did not"
          + " create it (it was opened from a file), so it cannot remove the interface when the namespace ends."
          + " Connect a namespace nsunit created: NetworkNamespace.create(), or an endpoint.");
    }
    List<String> names = List.copyOf(Arrays.asList(aliases));
    for (String alias : names) {
      if (!isValidAlias(alias)) {
        throw new IllegalArgumentException("alias \"" + alias + "\" for " + endpoint.name() + " on network " + name
            + " is not a host name: use letters, digits and hyphens, in dot-separated labels, e.g. \"db\".");
      }
      Optional<String> holder = EndpointNetworks.holderOfAlias(this, alias);
      if (holder.isPresent()) {
        throw new IllegalArgumentException("alias \"" + alias + "\" is taken on network " + name + " by " + holder.get()
            + "; an alias names one endpoint per network. Pick another alias.");
      }
    }
    if (address != null) {
      checkHost(address);
    }
    return translate(() -> {
      Netns netns = endpoint.netns();
      EndpointNetworks networks = EndpointNetworks.of(netns);
      networks.on(this).ifPresent(already -> {
        throw new IllegalArgumentException(endpoint + " is already connected to network " + name
            + " (" + already.view() + "); an endpoint has one interface per network, as in Docker.");
      });
      return networks.connect(Lab.get(), this, endpoint.name(), address, names, MTU, labHost);
    });
  }

  /**
   * Disconnects {@code endpoint} from this network now, like {@code docker network disconnect}:
   * its interface and the routes through it go (the veth pair is deleted, which waits for the
   * kernel's RCU grace periods, tens of milliseconds), and its address is free again. If the
   * interface carried the default route, the endpoint's first remaining interface on a network
   * that is not internal gets it.
   *
   * @throws IllegalArgumentException if {@code endpoint} is not connected to this network
   */
  public void disconnect(NetworkNamespace endpoint) {
    requireNonNull(endpoint, "endpoint is null; pass the NetworkNamespace to disconnect");
    boolean was = translate(() -> EndpointNetworks.of(endpoint.netns()).disconnect(this));
    if (!was) {
      throw new IllegalArgumentException(endpoint + " is not connected to network " + name + "; it is connected to "
          + endpoint.networks().stream().map(NetworkAttachment::network).toList() + ".");
    }
  }

  private void checkHost(InetAddress address) {
    IpPrefix subnet = subnet();
    if (address instanceof Inet6Address || !subnet.contains(address) || address.equals(subnet.network())
        || address.equals(subnet.broadcast()) || address.equals(gateway())) {
      throw new IllegalArgumentException("address " + InetAddresses.format(address) + " is not a free host address of"
          + " network " + name + " (" + subnet + ", gateway " + InetAddresses.format(gateway()) + "); pick a host of"
          + " the subnet that is not the gateway, e.g. " + InetAddresses.format(example(subnet, gateway())) + ".");
    }
  }

  private static InetAddress example(IpPrefix subnet, InetAddress gateway) {
    return subnet.offset(1).equals(gateway) ? subnet.offset(2) : subnet.offset(1);
  }

  private static void requireFeatures() {
    translate(() -> {
      KernelFeatures.require(KernelFeatures.Feature.VETH);
      KernelFeatures.require(KernelFeatures.Feature.BRIDGE);
      return null;
    });
  }

  @Override
  public String toString() {
    return "network " + name + " " + subnet() + " gateway " + InetAddresses.format(gateway())
        + ipv6Subnet().map(s -> " " + s).orElse("") + (isInternal() ? " internal" : "")
        + (driver() == NetworkDriver.BRIDGE ? "" : " driver " + driver().dockerName());
  }

  /** Settings of a network to create; {@link #create()} checks them all before anything is built. */
  public static final class Builder {
    private final String name;
    private String subnet;
    private String gateway;
    private boolean internal;
    private String subnet6;
    private NetworkDriver driver = NetworkDriver.BRIDGE;
    private boolean quietIpv6;

    private Builder(String name) {
      this.name = requireNonNull(name, "name is null; pass a network name, e.g. \"backend\"");
    }

    /** The subnet in CIDR notation, e.g. {@code "172.18.0.0/16"} ({@code --subnet}); default: the first free pool. */
    public Builder subnet(String cidr) {
      this.subnet = requireNonNull(cidr, "subnet is null; pass a CIDR such as \"172.18.0.0/16\"");
      return this;
    }

    /** The gateway, a host of the subnet ({@code --gateway}); default: the subnet's first host. */
    public Builder gateway(String address) {
      this.gateway = requireNonNull(address, "gateway is null; pass an address of the subnet, e.g. \"172.18.0.1\"");
      return this;
    }

    /**
     * Makes the network dual-stack with this IPv6 subnet, e.g. {@code "fd00:18::/64"}
     * ({@code --ipv6 --subnet}): gateway {@code ::1}, endpoints' addresses follow their IPv4 host
     * numbers.
     */
    public Builder ipv6Subnet(String cidr) {
      this.subnet6 = requireNonNull(cidr, "ipv6Subnet is null; pass a CIDR such as \"fd00:18::/64\"");
      return this;
    }

    /** The driver ({@code -d}); default {@link NetworkDriver#BRIDGE}. */
    public Builder driver(NetworkDriver driver) {
      this.driver = requireNonNull(driver, "driver is null; pass one, e.g. NetworkDriver.MACVLAN");
      return this;
    }

    /** No default route for endpoints ({@code --internal}). */
    public Builder internal() {
      this.internal = true;
      return this;
    }

    /**
     * Endpoints connected from now on get no IPv6 link-local address ({@code ip link set eth0
     * addrgenmode none}), so they send no duplicate address detection, router solicitations or
     * MLD reports. For large topologies: on a bridge of hundreds of ports every such multicast
     * frame is flooded to every other port, and the kernel's per-CPU backlog
     * ({@code net.core.netdev_max_backlog}, 1000 by default) drops frames, ARP and pings among
     * them. IPv4 is unaffected; a dual-stack network ({@link #ipv6Subnet}) keeps its global
     * addresses, without link-local ones.
     */
    public Builder quietIpv6() {
      this.quietIpv6 = true;
      return this;
    }

    /**
     * Creates the network, or returns it if it exists with the same definition.
     *
     * @throws IllegalArgumentException naming the setting, the rule and the fix
     */
    public LabNetwork create() {
      LabNetwork n = of(NetworkDefinition.check(name, subnet, gateway, internal, subnet6, driver));
      if (quietIpv6) {
        n.bridge.quietIpv6(true);
      }
      return n;
    }
  }

  /** Valid aliases: host names, dot-separated labels of letters, digits and inner hyphens. */
  static boolean isValidAlias(String alias) {
    return alias != null && ALIAS.matcher(alias).matches();
  }

  /** Valid network names: Docker's rule. */
  static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }
}
