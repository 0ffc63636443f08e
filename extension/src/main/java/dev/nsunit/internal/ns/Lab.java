package dev.nsunit.internal.ns;

import dev.nsunit.internal.netlink.LinkRequest;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The hermetic "Docker host": one namespace per JVM, created on first use, that holds the
 * bridges endpoints attach to. The real host is never touched and the lab has no route out, so
 * the same addresses (172.17.0.0/16, first endpoint .2) work on every machine and in parallel
 * JVMs, and no packet can leave through a real NIC.
 *
 * <p><b>Stable MACs.</b> Each bridge gets a fixed MAC at creation, as Docker gives docker0 one
 * (02:42 followed by the gateway's IPv4 address; no endpoint can have it, since the pool never
 * hands out the gateway): a bridge without one takes the lowest MAC of its ports, which changes
 * as endpoints come and go, and endpoints would keep sending to a gateway MAC that no longer
 * exists. Lab-side veths get a random MAC from the kernel when created, which never changes.
 *
 * <p>The lab is held by file descriptors only: it disappears, with every bridge and veth in it,
 * when the JVM exits, however it exits.
 */
public final class Lab {
  private static final Object INIT = new Object();
  private static volatile Lab instance;
  private static final AtomicInteger VETHS = new AtomicInteger();

  private final Netns netns;
  private final Map<IpPrefix, Bridge> bridges = new HashMap<>();

  private Lab(Netns netns) {
    this.netns = netns;
  }

  /** The JVM's lab host, created on first call. */
  public static Lab get() {
    Lab lab = instance;
    if (lab == null) {
      synchronized (INIT) {
        lab = instance;
        if (lab == null) {
          lab = new Lab(Netns.create("lab host"));
          instance = lab;
        }
      }
    }
    return lab;
  }

  /** The JVM's lab host if something created it already; never creates it (for leak checks). */
  public static Optional<Lab> existing() {
    return Optional.ofNullable(instance);
  }

  /** The lab's namespace, e.g. to start a server "on the Docker host". */
  public Netns netns() {
    return netns;
  }

  /** A bridge of the lab: its name, subnet, gateway address, MAC and endpoints' address pool. */
  public static final class Bridge {
    private final String name;
    private final int index;
    private final IpPrefix subnet;
    private final InetAddress gateway;
    private final AddressPool pool;

    Bridge(String name, int index, IpPrefix subnet, InetAddress gateway) {
      this.name = name;
      this.index = index;
      this.subnet = subnet;
      this.gateway = gateway;
      this.pool = new AddressPool(subnet, gateway);
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
   * The bridge for {@code subnet}, created on first use with {@code gateway} as its address and a
   * fixed MAC. Equivalent to: {@code ip link add nsunitN address 02:42:GW type bridge; ip addr add
   * GW/LEN dev nsunitN; ip link set nsunitN up}.
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
    for (Bridge b : bridges.values()) {
      if (b.subnet.contains(subnet.address()) || subnet.contains(b.subnet.address())) {
        throw new IllegalArgumentException("subnet " + subnet + " overlaps bridge " + b.name + " (" + b.subnet
            + "); give each @BridgeNetwork network a separate subnet");
      }
    }
    String name = "nsunit" + bridges.size();
    Rtnetlink rt = netns.rtnetlink();
    rt.add(LinkRequest.bridge(name).mac(dockerMac(gateway)).up());
    int index = rt.indexOf(name);
    rt.addAddress(index, new IpPrefix(gateway, subnet.length()));
    Bridge bridge = new Bridge(name, index, subnet, gateway);
    bridges.put(subnet, bridge);
    return bridge;
  }

  /** An endpoint attached to a bridge, with the address it holds until {@link #close()}. */
  public static final class Attachment implements AutoCloseable {
    private final Netns endpoint;
    private final Bridge bridge;
    private final InetAddress address;
    private final String labVeth;
    private boolean closed;

    Attachment(Netns endpoint, Bridge bridge, InetAddress address, String labVeth) {
      this.endpoint = endpoint;
      this.bridge = bridge;
      this.address = address;
      this.labVeth = labVeth;
    }

    /** The endpoint's namespace. */
    public Netns endpoint() {
      return endpoint;
    }

    /** The endpoint's eth0 address. */
    public InetAddress address() {
      return address;
    }

    /** The lab-side veth's name (it disappears with the endpoint's namespace). */
    public String labVeth() {
      return labVeth;
    }

    /** The bridge the endpoint hangs off. */
    public Bridge bridge() {
      return bridge;
    }

    /**
     * Closes the endpoint's namespace (the kernel then deletes the veth pair, asynchronously) and
     * returns its address to the pool. Idempotent.
     */
    @Override
    public synchronized void close() {
      if (closed) {
        return;
      }
      closed = true;
      try {
        endpoint.close();
      } finally {
        bridge.pool.release(address);
      }
    }
  }

  /**
   * Creates a namespace attached to {@code bridge} like a container on Docker's bridge network:
   * {@code eth0} (a veth whose peer is a port of the bridge) with the next free address (or
   * {@code fixedAddress}), a Docker-style MAC (02:42 + the IPv4 address), the given MTU, the link
   * route and {@code default via GATEWAY}. On any failure nothing is left behind.
   */
  public Attachment attach(String endpointName, Bridge bridge, InetAddress fixedAddress, int mtu) {
    InetAddress address;
    if (fixedAddress != null) {
      bridge.pool.reserve(fixedAddress, endpointName);
      address = fixedAddress;
    } else {
      address = bridge.pool.allocate(endpointName);
    }
    Netns endpoint = null;
    try {
      endpoint = Netns.create("endpoint " + endpointName);
      String labVeth = "nsuv" + Integer.toHexString(VETHS.incrementAndGet());
      netns.rtnetlink().add(LinkRequest.veth(labVeth, "eth0", endpoint.fd())
          .master(bridge.index).mtu(mtu).up());
      Rtnetlink inside = endpoint.rtnetlink();
      int eth0 = inside.indexOf("eth0");
      inside.setMac(eth0, dockerMac(address));
      inside.batch(new Rtnetlink.Batch()
          .addAddress(eth0, new IpPrefix(address, bridge.subnet.length()))
          .setUp(eth0)
          .addRoute(RouteRequest.defaultVia(bridge.gateway)));
      return new Attachment(endpoint, bridge, address, labVeth);
    } catch (RuntimeException e) {
      if (endpoint != null) {
        endpoint.close(); // takes the veth pair with it
      }
      bridge.pool.release(address);
      throw e;
    }
  }

  private static String dockerMac(InetAddress ipv4) {
    byte[] a = ipv4.getAddress();
    return String.format("02:42:%02x:%02x:%02x:%02x", a[0] & 0xff, a[1] & 0xff, a[2] & 0xff, a[3] & 0xff);
  }
}
