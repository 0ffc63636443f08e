package dev.nsunit;

import static dev.nsunit.KernelFailures.translate;
import static java.util.Objects.requireNonNull;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/**
 * The internet as a Docker host's containers see it, simulated inside the lab: a namespace that
 * holds the servers a test starts, on the documentation prefixes 192.0.2.0/24, 198.51.100.0/24
 * and 203.0.113.0/24 (RFC 5737, which no real host uses). Endpoints on Docker's default bridge
 * and on user-defined networks that are not internal reach it through their default route and
 * the lab host's masquerade, so its servers see the lab host's address ({@link #labAddress()},
 * 192.0.2.2), as the internet sees a Docker host's. Internal networks cannot reach it. Nothing
 * is routed beyond it: the real host's network is never involved.
 *
 * <pre>{@code
 * OutsideWorld internet = OutsideWorld.get();
 * InetAddress payments = internet.host("203.0.113.10");       // an address of a server "out there"
 * try (ServerSocket server = internet.namespace().serverSocketFactory().createServerSocket(443, 50, payments)) {
 *   // an endpoint connects to 203.0.113.10:443; server.accept().getInetAddress() is 192.0.2.2
 * }
 * }</pre>
 *
 * <p><b>Lifetime.</b> Created on the first {@link #get()}, it lives as long as the lab, that is
 * the JVM, and disappears with it however the JVM ends. Servers a test starts there (sockets,
 * processes) are the test's to close: they are not part of an endpoint's scope.
 *
 * <p><b>Threads.</b> All methods are thread-safe.
 */
public final class OutsideWorld {
  private static volatile OutsideWorld instance;

  private final NetworkNamespace namespace;

  private OutsideWorld(NetworkNamespace namespace) {
    this.namespace = namespace;
  }

  /**
   * The outside world, created on first call (a few milliseconds).
   *
   * @throws UnsupportedOperationException if the kernel lacks nf_tables masquerade, naming the
   *     options it needs
   * @throws KernelException if the kernel refuses (no CAP_NET_ADMIN)
   */
  public static OutsideWorld get() {
    OutsideWorld w = instance;
    if (w == null) {
      synchronized (OutsideWorld.class) {
        w = instance;
        if (w == null) {
          Netns netns = translate(() -> Lab.get().outsideWorld());
          w = new OutsideWorld(new NetworkNamespace(netns, "outside world", () -> { }, true, false));
          instance = w;
        }
      }
    }
    return w;
  }

  /**
   * The outside world's namespace: start servers here ({@link NetworkNamespace#serverSocketFactory()},
   * {@link NetworkNamespace#start}). Its {@code close()} does nothing: it lives with the lab.
   */
  public NetworkNamespace namespace() {
    return namespace;
  }

  /**
   * Gives the outside world the address {@code address}, like a host on the internet, and
   * returns it; giving it twice is harmless. Servers bound to it (or to the wildcard) are
   * reachable from endpoints at that address.
   *
   * @param address an IPv4 address in 192.0.2.0/24 (but not 192.0.2.1 or .2, the link to the
   *     lab), 198.51.100.0/24 or 203.0.113.0/24
   * @throws IllegalArgumentException if it is not one of those, naming the ranges, or a lab
   *     network's subnet contains it (then the lab would deliver it there), naming the network
   */
  public synchronized InetAddress host(String address) {
    requireNonNull(address, "address is null; pass an address such as \"203.0.113.10\"");
    InetAddress a;
    try {
      a = InetAddresses.parse(address);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("\"" + address + "\" is not an IP address; pass one such as \"203.0.113.10\"", e);
    }
    boolean documentation = a instanceof Inet4Address && Lab.OUTSIDE_PREFIXES.stream().anyMatch(p -> p.contains(a));
    if (!documentation || a.equals(Lab.OUTSIDE_ROUTER) || a.equals(Lab.UPLINK_ADDRESS)) {
      throw new IllegalArgumentException("the outside world's hosts live on the documentation prefixes "
          + Lab.OUTSIDE_PREFIXES + " (not 192.0.2.1 and 192.0.2.2, the link to the lab), so that nothing a test does can"
          + " reach a real address; " + address + " is not one. Pick one such as 203.0.113.10.");
    }
    translate(() -> {
      Lab.get().routeOutsideHost(a); // refuses an address inside a lab network first
      Netns netns = namespace.netns();
      if (netns.rtnetlink().addresses().stream().noneMatch(x -> x.prefix().address().equals(a))) {
        netns.rtnetlink().addAddress(netns.rtnetlink().indexOf("lo"), new IpPrefix(a, 32));
      }
      return null;
    });
    return a;
  }

  /** The lab host's address as the outside world sees it (192.0.2.2): every endpoint's connections come from it. */
  public InetAddress labAddress() {
    return Lab.UPLINK_ADDRESS;
  }

  /** The prefixes the outside world's hosts live in. */
  public List<IpPrefix> prefixes() {
    return Lab.OUTSIDE_PREFIXES;
  }

  @Override
  public String toString() {
    return "outside world " + Lab.OUTSIDE_PREFIXES + ", the lab seen as " + InetAddresses.format(Lab.UPLINK_ADDRESS);
  }
}
