package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_FLAGS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_NODAD;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_NOARP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_UP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MASTER;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MTU;
import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_ROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_DELLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_DELNEIGH;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETNEIGH;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_HOST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_COMPAT;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_MAIN;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.Address;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import dev.nsunit.model.Neighbour;
import dev.nsunit.model.Route;
import java.net.Inet6Address;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import jnr.constants.platform.Errno;

/**
 * rtnetlink operations on the namespace its socket lives in: links, addresses, routes and
 * neighbours. Thread-safe: requests are serialized by the socket's lock.
 */
public final class Rtnetlink implements AutoCloseable {
  private static final int ENODEV = Errno.ENODEV.intValue();
  private static final int ENOENT = Errno.ENOENT.intValue();

  private final NetlinkSocket socket;

  private Rtnetlink(NetlinkSocket socket) {
    this.socket = socket;
  }

  /** Opens an rtnetlink socket in the calling thread's network namespace. */
  public static Rtnetlink open() {
    return new Rtnetlink(NetlinkSocket.open(NETLINK_ROUTE));
  }

  /** The underlying socket. */
  public NetlinkSocket socket() {
    return socket;
  }

  // ---- links ----

  /** Every link. Equivalent to: {@code ip -d link show}. */
  public List<Link> links() {
    return LinkCodec.resolve(socket.dump(m -> {
      m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, "ip link show").struct(IfInfoMsg.any());
      LinkCodec.skipStats(m);
      m.end();
    }, LinkCodec::decode));
  }

  /** The link called {@code name}. Equivalent to: {@code ip link show dev NAME}. */
  public Optional<Link> link(String name) {
    return getLink(0, LinkRequest.checkName(name), MessageBuilder.lazy(() -> "ip link show dev " + name));
  }

  /** The link with ifindex {@code index}. */
  public Optional<Link> link(int index) {
    return getLink(index, null, MessageBuilder.lazy(() -> "ip link show dev if" + index));
  }

  private Optional<Link> getLink(int index, String name, Object description) {
    List<LinkCodec.Raw> found;
    try {
      found = socket.request(m -> {
        m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, description).struct(IfInfoMsg.of(index));
        if (name != null) {
          m.attrString(IFLA_IFNAME, name);
        }
        LinkCodec.skipStats(m);
        m.end();
      }, LinkCodec::decode);
    } catch (NetlinkException e) {
      if (e.errno() == ENODEV) {
        return Optional.empty();
      }
      throw e;
    }
    if (found.isEmpty()) {
      return Optional.empty();
    }
    LinkCodec.Raw raw = found.get(0);
    LinkCodec.Raw master = raw.masterIndex() > 0 ? rawLink(raw.masterIndex()) : null;
    LinkCodec.Raw peer = LinkCodec.sameNamespaceLink(raw) ? rawLink(raw.linkIndex()) : null;
    return Optional.of(LinkCodec.toLink(raw, master == null ? null : master.name(), peer));
  }

  private LinkCodec.Raw rawLink(int index) {
    List<LinkCodec.Raw> found;
    try {
      found = socket.request(m -> {
        m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, MessageBuilder.lazy(() -> "ip link show dev if" + index))
            .struct(IfInfoMsg.of(index));
        LinkCodec.skipStats(m);
        m.end();
      }, LinkCodec::decode);
    } catch (NetlinkException e) {
      if (e.errno() == ENODEV) {
        return null; // deleted meanwhile
      }
      throw e;
    }
    return found.isEmpty() ? null : found.get(0);
  }

  /**
   * The ifindex of {@code name}.
   *
   * @throws NetlinkException if there is no such link
   */
  public int indexOf(String name) {
    LinkRequest.checkName(name);
    List<Integer> found = socket.request(m -> {
      m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, MessageBuilder.lazy(() -> "ip link show dev " + name))
          .struct(IfInfoMsg.any())
          .attrString(IFLA_IFNAME, name);
      LinkCodec.skipStats(m);
      m.end();
    }, r -> IfInfoMsg.read(r.payload()).index());
    if (found.isEmpty()) {
      throw new NetlinkException("ip link show dev " + name, ENODEV, null);
    }
    return found.get(0);
  }

  /** Creates a link. Equivalent to: {@code ip link add ...} (see {@link LinkRequest}). */
  public void add(LinkRequest request) {
    KernelFeatures.require(request.kind()); // fail before the kernel sees a kind it lacks
    socket.execute(request::encode);
  }

  /** Sets a link up or down. Equivalent to: {@code ip link set dev IF up|down}. */
  public void setUp(int index, boolean up) {
    socket.execute(m -> encodeSetUp(m, index, null, up));
  }

  /** Sets the link called {@code name} up or down, without looking up its index first. */
  public void setUp(String name, boolean up) {
    socket.execute(m -> encodeSetUp(m, 0, LinkRequest.checkName(name), up));
  }

  static void encodeSetUp(MessageBuilder m, int index, String name, boolean up) {
    m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK,
            MessageBuilder.lazy(() -> "ip link set dev " + (name != null ? name : "if" + index) + (up ? " up" : " down")))
        .struct(IfInfoMsg.setFlags(index, up ? IFF_UP : 0, IFF_UP));
    if (name != null) {
      m.attrString(IFLA_IFNAME, name);
    }
    m.end();
  }

  /** Turns ARP on or off for a link. Equivalent to: {@code ip link set dev IF arp on|off}. */
  public void setArp(int index, boolean on) {
    socket.execute(m -> m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set dev if" + index + " arp " + (on ? "on" : "off"))
        .struct(IfInfoMsg.setFlags(index, on ? 0 : IFF_NOARP, IFF_NOARP)).end());
  }

  /** Sets the MTU. Equivalent to: {@code ip link set dev IF mtu N}. */
  public void setMtu(int index, int mtu) {
    socket.execute(m -> m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set dev if" + index + " mtu " + mtu)
        .struct(IfInfoMsg.of(index)).attrU32(IFLA_MTU, mtu).end());
  }

  /** Sets the MAC address. Equivalent to: {@code ip link set dev IF address MAC}. */
  public void setMac(int index, String mac) {
    byte[] raw = LinkCodec.parseMac(mac);
    socket.execute(m -> m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set dev if" + index + " address " + mac)
        .struct(IfInfoMsg.of(index)).attr(IFLA_ADDRESS, raw).end());
  }

  /** Enslaves a link to a master (0 releases it). Equivalent to: {@code ip link set dev IF master M} / {@code nomaster}. */
  public void setMaster(int index, int masterIndex) {
    socket.execute(m -> m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK,
            "ip link set dev if" + index + (masterIndex == 0 ? " nomaster" : " master if" + masterIndex))
        .struct(IfInfoMsg.of(index)).attrU32(IFLA_MASTER, masterIndex).end());
  }

  /**
   * Deletes a link, synchronously. Deleting a veth costs ~30 ms of RCU grace periods; prefer
   * dropping the namespace that holds it. Equivalent to: {@code ip link del dev IF}.
   */
  public void delete(int index) {
    socket.execute(m -> m.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, MessageBuilder.lazy(() -> "ip link del dev if" + index))
        .struct(IfInfoMsg.of(index)).end());
  }

  // ---- addresses ----

  /** Every address. Equivalent to: {@code ip addr show}. */
  public List<Address> addresses() {
    return addresses(links());
  }

  /** Every address, with interface names taken from {@code links} (saves a dump). */
  public List<Address> addresses(List<Link> links) {
    Map<Integer, String> names = names(links);
    return socket.dump(m -> m.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, "ip addr show")
        .struct(IfAddrMsg.dump()).end(), r -> AddressCodec.decode(r, names));
  }

  /**
   * Adds an address. IPv4 gets the broadcast address of its prefix (like {@code brd +}); IPv6 is
   * added with IFA_F_NODAD, so it is usable at once rather than tentative.
   * Equivalent to: {@code ip addr add A/N brd + dev IF} or {@code ip addr add A/N dev IF nodad}.
   */
  public void addAddress(int index, IpPrefix address) {
    socket.execute(m -> encodeAddAddress(m, index, address));
  }

  static void encodeAddAddress(MessageBuilder m, int index, IpPrefix address) {
    boolean v6 = address.isIpv6();
    int scope = address.address().isLoopbackAddress() ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE;
    m.begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
            new Object() {
              @Override
              public String toString() {
                return "ip addr add " + address + (v6 ? " nodad" : "") + " dev if" + index;
              }
            })
        .struct(IfAddrMsg.of(index, address, v6 ? IFA_F_NODAD : 0, scope))
        .attrAddress(IFA_LOCAL, address.address())
        .attrAddress(IFA_ADDRESS, address.address());
    if (v6) {
      m.attrU32(IFA_FLAGS, IFA_F_NODAD);
    } else if (address.length() < 31) {
      m.attrAddress(IFA_BROADCAST, address.broadcast());
    }
    m.end();
  }

  // ---- routes ----

  /** The main table's routes, IPv4 then IPv6. Equivalent to: {@code ip route show; ip -6 route show}. */
  public List<Route> routes() {
    return routes(links());
  }

  /** The main table's routes, with device names taken from {@code links} (saves a dump). */
  public List<Route> routes(List<Link> links) {
    Map<Integer, String> names = names(links);
    List<Route> all = socket.dump(m -> m.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, "ip route show table all")
        .struct(RtMsg.dump()).end(), r -> otherTable(r) ? null : RouteCodec.decode(r, names));
    List<Route> main = new ArrayList<>(all.size());
    for (Route r : all) {
      if (r.table() == RT_TABLE_MAIN) {
        main.add(r);
      }
    }
    return main;
  }

  /**
   * Whether a well-formed route reply is for a table other than main, judged by rtm_table alone
   * (the kernel puts ids above 255 in RTA_TABLE and RT_TABLE_COMPAT in rtm_table), so that the
   * local table's entries are not decoded just to be dropped.
   */
  private static boolean otherTable(Message m) {
    if (m.type() != RTM_NEWROUTE || m.payload().limit() < RtMsg.SIZE) {
      return false; // let the decoder report it
    }
    int table = RtMsg.read(m.payload()).table();
    return table != RT_TABLE_MAIN && table != RT_TABLE_COMPAT;
  }

  /** Adds a route. Equivalent to: {@code ip route add ...} (see {@link RouteRequest}). */
  public void addRoute(RouteRequest route) {
    socket.execute(route::encode);
  }

  // ---- neighbours ----

  /** Every neighbour entry with an IP address. Equivalent to: {@code ip neigh show}. */
  public List<Neighbour> neighbours() {
    return neighbours(links());
  }

  /** Every neighbour entry, with device names taken from {@code links} (saves a dump). */
  public List<Neighbour> neighbours(List<Link> links) {
    Map<Integer, String> names = names(links);
    return socket.dump(m -> m.begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, "ip neigh show")
        .struct(NdMsg.dump()).end(), r -> NeighbourCodec.decode(r, names));
  }

  /**
   * Deletes every neighbour entry that is not permanent (nor a NOARP one) and returns how many.
   * Equivalent to: {@code ip neigh flush all}. An entry gone meanwhile is not an error.
   */
  public int flushNeighbours() {
    int removed = 0;
    for (Neighbour n : neighbours(List.of())) {
      if ((n.state() & (NUD_PERMANENT | NUD_NOARP)) != 0) {
        continue;
      }
      boolean v6 = n.address() instanceof Inet6Address;
      try {
        socket.execute(m -> m.begin(RTM_DELNEIGH, NLM_F_REQUEST | NLM_F_ACK,
                MessageBuilder.lazy(() -> "ip neigh del " + n.address().getHostAddress() + " dev if" + n.index()))
            .struct(new NdMsg(v6 ? Libc.AF_INET6 : Libc.AF_INET, n.index(), 0, 0, 0)).attrAddress(NDA_DST, n.address()).end());
        removed++;
      } catch (NetlinkException e) {
        if (e.errno() != ENOENT) {
          throw e;
        }
      }
    }
    return removed;
  }

  private static final int NUD_NOARP = 0x40;
  private static final int NUD_PERMANENT = 0x80;

  // ---- batches ----

  /**
   * Sends several requests in one datagram and reads every ACK, e.g. to configure a fresh
   * endpoint in one round trip.
   */
  public void batch(Batch batch) {
    socket.execute(batch::encode);
  }

  private static final int IFLA_AF_SPEC = 26;
  private static final int AF_INET6_FAMILY = 10;
  private static final int IFLA_INET6_ADDR_GEN_MODE = 8;
  private static final int IN6_ADDR_GEN_MODE_NONE = 1;

  /** A list of requests for {@link #batch(Batch)}. */
  public static final class Batch {
    private final ArrayList<Consumer<MessageBuilder>> steps = new ArrayList<>();

    /** {@code ip link set dev NAME up}. */
    public Batch setUp(String name) {
      steps.add(m -> encodeSetUp(m, 0, name, true));
      return this;
    }

    /** {@code ip link set dev IF up}. */
    public Batch setUp(int index) {
      steps.add(m -> encodeSetUp(m, index, null, true));
      return this;
    }

    /** {@code ip link set dev IF address MAC}. */
    public Batch setMac(int index, String mac) {
      byte[] raw = LinkCodec.parseMac(mac);
      steps.add(m -> m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set dev if" + index + " address " + mac)
          .struct(IfInfoMsg.of(index)).attr(IFLA_ADDRESS, raw).end());
      return this;
    }

    /**
     * {@code ip link set dev IF addrgenmode none}: the link gets no IPv6 link-local address when it
     * comes up, so it sends no DAD, router solicitation or MLD report.
     */
    public Batch noIpv6LinkLocal(int index) {
      steps.add(m -> {
        m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set dev if" + index + " addrgenmode none")
            .struct(IfInfoMsg.of(index));
        int spec = m.beginNested(IFLA_AF_SPEC);
        int inet6 = m.beginNested(AF_INET6_FAMILY);
        m.attrU8(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE).endNested(inet6).endNested(spec).end();
      });
      return this;
    }

    /** {@code ip addr add A/N dev IF}. */
    public Batch addAddress(int index, IpPrefix address) {
      steps.add(m -> encodeAddAddress(m, index, address));
      return this;
    }

    /** {@code ip route add ...}. */
    public Batch addRoute(RouteRequest route) {
      steps.add(route::encode);
      return this;
    }

    /** {@code ip link add ...}. */
    public Batch add(LinkRequest link) {
      steps.add(link::encode);
      return this;
    }

    void encode(MessageBuilder m) {
      for (Consumer<MessageBuilder> s : steps) {
        s.accept(m);
      }
    }
  }

  private static Map<Integer, String> names(List<Link> links) {
    Map<Integer, String> names = new HashMap<>();
    for (Link l : links) {
      names.put(l.index(), l.name());
    }
    return names;
  }

  /** Closes the socket; idempotent. */
  @Override
  public void close() {
    socket.close();
  }
}
