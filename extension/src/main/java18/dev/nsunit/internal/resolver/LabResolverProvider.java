package dev.nsunit.internal.resolver;

import dev.nsunit.internal.dns.NamespaceNames;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.security.Security;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The JVM's resolver while nsunit is on the class path (JDK 18 and newer): a thread inside an
 * endpoint's namespace resolves what Docker's embedded DNS would answer that endpoint (endpoint
 * names and aliases on its user-defined networks, {@code localhost}), and an unknown name fails
 * at once with a message that lists the names it can see; every other thread gets the JDK's own
 * resolver, unchanged.
 *
 * <p>The same name means another endpoint in the next test, and the JDK caches answers by name
 * for the whole JVM (30 s, failures 10 s). So, unless the JVM was told otherwise
 * ({@code networkaddress.cache.ttl}, {@code sun.net.inetaddr.ttl} and their negative twins), the
 * provider turns both caches off when the JDK loads it, before the first answer is cached.
 */
public final class LabResolverProvider extends InetAddressResolverProvider {
  /** Loaded by the JDK's {@link java.util.ServiceLoader}. */
  public LabResolverProvider() {}

  @Override
  public InetAddressResolver get(Configuration configuration) {
    turnCachesOff();
    return new LabResolver(configuration.builtinResolver());
  }

  @Override
  public String name() {
    return "nsunit";
  }

  private static void turnCachesOff() {
    if (Security.getProperty("networkaddress.cache.ttl") == null && System.getProperty("sun.net.inetaddr.ttl") == null) {
      Security.setProperty("networkaddress.cache.ttl", "0");
    }
    // java.security sets the negative TTL to 10; another value is the user's
    String negative = Security.getProperty("networkaddress.cache.negative.ttl");
    if ((negative == null || negative.equals("10")) && System.getProperty("sun.net.inetaddr.negative.ttl") == null) {
      Security.setProperty("networkaddress.cache.negative.ttl", "0");
    }
  }

  /** Endpoints' names on namespaced threads, the JDK's resolver elsewhere. */
  static final class LabResolver implements InetAddressResolver {
    private final InetAddressResolver builtin;

    LabResolver(InetAddressResolver builtin) {
      this.builtin = builtin;
    }

    @Override
    public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
      Optional<NamespaceNames.Asker> asker = NamespaceNames.ofCurrentThread();
      if (asker.isEmpty()) {
        return builtin.lookupByName(host, policy);
      }
      String name = host.toLowerCase(Locale.ROOT);
      name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
      List<InetAddress> found = name.equals("localhost")
          ? List.of(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}),
              InetAddress.getByAddress("localhost", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}))
          : withNames(host, asker.get().addressesOf(name).orElseThrow(() -> unknown(host, asker.get())));
      List<InetAddress> allowed = byPolicy(found, policy);
      if (allowed.isEmpty()) {
        throw new UnknownHostException(host + ": " + asker.get().description() + " knows it, but not with an"
            + " address of the family the lookup asked for (" + found + ")");
      }
      return allowed.stream();
    }

    @Override
    public String lookupByAddress(byte[] addr) throws UnknownHostException {
      Optional<NamespaceNames.Asker> asker = NamespaceNames.ofCurrentThread();
      if (asker.isEmpty()) {
        return builtin.lookupByAddress(addr);
      }
      InetAddress address = InetAddress.getByAddress(addr);
      return asker.get().nameOf(address).orElseThrow(() -> new UnknownHostException(address.getHostAddress()
          + ": no endpoint has this address on the user-defined networks of " + asker.get().description()));
    }

    private static List<InetAddress> withNames(String host, List<InetAddress> addresses) throws UnknownHostException {
      List<InetAddress> out = new ArrayList<>(addresses.size());
      for (InetAddress a : addresses) {
        out.add(InetAddress.getByAddress(host, a.getAddress()));
      }
      return out;
    }

    private static UnknownHostException unknown(String host, NamespaceNames.Asker asker) {
      String seen = asker.namesSeen();
      return new UnknownHostException(host + ": no such name for " + asker.description() + ". Threads inside an"
          + " endpoint resolve what Docker's embedded DNS answers a container: endpoint names (field names) and"
          + " aliases on the user-defined networks it is on"
          + (seen.isEmpty() ? " (it is on none: Docker's default bridge has no names; use @Network and @Connect)"
              : " (" + seen + ")")
          + ", and localhost; nothing outside the lab resolves. Connect an endpoint called " + host
          + " (or with that alias) to one of these networks, or use an address.");
    }

    private static List<InetAddress> byPolicy(List<InetAddress> found, LookupPolicy policy) {
      int c = policy.characteristics();
      boolean v4 = (c & LookupPolicy.IPV4) != 0;
      boolean v6 = (c & LookupPolicy.IPV6) != 0;
      List<InetAddress> out = new ArrayList<>();
      for (InetAddress a : found) {
        if ((a instanceof Inet4Address && v4) || (a instanceof Inet6Address && v6)) {
          out.add(a);
        }
      }
      if ((c & LookupPolicy.IPV6_FIRST) != 0) {
        out.sort(Comparator.comparing(a -> a instanceof Inet4Address));
      } else if ((c & LookupPolicy.IPV4_FIRST) != 0) {
        out.sort(Comparator.comparing(a -> a instanceof Inet6Address));
      }
      return out;
    }
  }
}
