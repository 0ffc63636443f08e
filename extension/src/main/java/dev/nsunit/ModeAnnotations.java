package dev.nsunit;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Reads the network-mode annotation of one class, method or field into a {@link Mode}, checking
 * its attributes: every misuse becomes an {@link ExtensionConfigurationException} naming the
 * element, the rule and the fix.
 */
final class ModeAnnotations {
  private static final List<Class<? extends Annotation>> MODES =
      List.of(NoNetwork.class, HostNetwork.class, BridgeNetwork.class, SharedNetworkWith.class);

  private ModeAnnotations() {}

  /** An element as messages show it: {@code [method OrderTests.m()]}, {@code [field T.redis]}. */
  static String describe(AnnotatedElement element) {
    if (element instanceof Method m) {

      return "[method " + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()]";
    }
    if (element instanceof Field f) {

      return "[field " + f.getDeclaringClass().getSimpleName() + "." + f.getName() + "]";
    }
    if (element instanceof Class) {
      return "[class " + ((Class<?>) element).getSimpleName() + "]";
    }
    return "[" + element + "]";
  }

  /** The mode annotation on {@code element} (directly or as a meta-annotation), if any. */
  static Optional<Mode> modeOf(AnnotatedElement element) {
    List<Annotation> found = new ArrayList<>();
    for (Class<? extends Annotation> type : MODES) {
      AnnotationSupport.findAnnotation(element, type).ifPresent(found::add);
    }
    // JUnit's search also finds meta-annotations, but drops equal ones: a @Connect written twice
    // must be seen twice, to be refused
    Connect[] direct = element.getAnnotationsByType(Connect.class);
    List<Connect> connects = direct.length > 0 ? List.of(direct)
        : AnnotationSupport.findRepeatableAnnotations(element, Connect.class);
    if (!connects.isEmpty()) {
      found.add(connects.get(0));
    }
    if (found.size() > 1) {
      throw new ExtensionConfigurationException(describe(element) + " carries "
          + found.stream().map(a -> "@" + a.annotationType().getSimpleName()).collect(Collectors.joining(" and "))
          + ", but a test or endpoint has exactly one network mode, as a container has one --network."
          + (connects.isEmpty() ? " Keep one of them."
              : " Keep one of them; to be on Docker's default network as well as others, use @Connect(network = \"bridge\")."));
    }
    if (found.isEmpty()) {
      if (PortPublishing.publishes(element)) {
        throw new ExtensionConfigurationException("@Publish on " + describe(element) + " has no endpoint to publish:"
            + " put it next to the endpoint's @BridgeNetwork or @Connect, as docker run -p goes with --network.");
      }
      return Optional.empty();
    }
    Annotation a = found.get(0);
    checkPublish(element, a);
    if (a instanceof NoNetwork) {
      return Optional.of(new Mode.None(element));
    }
    if (a instanceof HostNetwork) {
      return Optional.of(new Mode.Host(element));
    }
    if (a instanceof Connect) {
      return Optional.of(connected(connects, element));
    }
    if (a instanceof SharedNetworkWith sharedNetworkWith) {
      String name = sharedNetworkWith.value();
      if (name.isBlank()) {
        throw new ExtensionConfigurationException("@SharedNetworkWith(\"\") on " + describe(element)
            + " names no endpoint; give the name of a NetworkNamespace field, e.g. @SharedNetworkWith(\"redis\")");
      }
      return Optional.of(new Mode.Shared(element, name));
    }
    return Optional.of(bridge((BridgeNetwork) a, element));
  }

  /** {@link Publish} next to a mode: parsed now, so that a bad one fails before anything is built. */
  private static void checkPublish(AnnotatedElement element, Annotation mode) {
    if (!PortPublishing.publishes(element)) {
      return;
    }
    if (!(mode instanceof BridgeNetwork || mode instanceof Connect)) {
      throw new ExtensionConfigurationException("@Publish on " + describe(element) + " goes with @"
          + mode.annotationType().getSimpleName() + ", which has no network of its own to publish from"
          + (mode instanceof HostNetwork ? " (the endpoint's ports are the host's already)"
              : mode instanceof SharedNetworkWith ? " (Docker refuses -p with --network container:NAME too;"
                  + " publish on the endpoint that owns the namespace)" : " (only lo)")
          + ". Publish from a @BridgeNetwork or @Connect endpoint.");
    }
    try {
      PortPublishing.of(element);
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException("@Publish on " + describe(element) + ": " + e.getMessage(), e);
    }
  }

  private static Mode.Connected connected(List<Connect> connects, AnnotatedElement element) {
    String where = describe(element);
    List<Mode.Connection> connections = new ArrayList<>();
    Set<String> networks = new HashSet<>();
    for (Connect c : connects) {
      if (c.network().isBlank()) {
        throw new ExtensionConfigurationException("@Connect(network = \"\") on " + where + " names no network;"
            + " give the name of a @Network of the class, or \"bridge\" for Docker's default network.");
      }
      if (!networks.add(c.network())) {
        throw new ExtensionConfigurationException(where + " carries @Connect(network = \"" + c.network() + "\")"
            + " twice; an endpoint has one interface per network, as in Docker. Keep one, and put all its aliases"
            + " there.");
      }
      Set<String> aliases = new HashSet<>();
      for (String alias : c.aliases()) {
        if (!LabNetwork.isValidAlias(alias)) {
          throw new ExtensionConfigurationException("@Connect(network = \"" + c.network() + "\", aliases = \"" + alias
              + "\") on " + where + ": \"" + alias + "\" is not a host name. Use letters, digits and hyphens, in"
              + " dot-separated labels, e.g. \"db\".");
        }
        if (!aliases.add(alias)) {
          throw new ExtensionConfigurationException("@Connect(network = \"" + c.network() + "\") on " + where
              + " lists the alias \"" + alias + "\" twice; list it once.");
        }
      }
      Optional<InetAddress> address = Optional.empty();
      if (!c.address().isEmpty()) {
        InetAddress a;
        try {
          a = InetAddresses.parse(c.address());
        } catch (IllegalArgumentException e) {
          throw new ExtensionConfigurationException("@Connect(network = \"" + c.network() + "\", address = \""
              + c.address() + "\") on " + where + " is not an IPv4 address: " + e.getMessage() + ".", e);
        }
        if (a instanceof Inet6Address) {
          throw new ExtensionConfigurationException("@Connect(network = \"" + c.network() + "\", address = \""
              + c.address() + "\") on " + where + " is IPv6; networks take IPv4 addresses for now.");
        }
        address = Optional.of(a);
      }
      if (!c.labHost().isEmpty() && !LabNetwork.isValidName(c.labHost())) {
        throw new ExtensionConfigurationException("@Connect(network = \"" + c.network() + "\", labHost = \""
            + c.labHost() + "\") on " + where + ": \"" + c.labHost() + "\" is not a lab host name: letters, digits,"
            + " '_', '.' and '-', e.g. \"node2\".");
      }
      connections.add(new Mode.Connection(c.network(), List.of(c.aliases()), address,
          c.labHost().isEmpty() ? Optional.empty() : Optional.of(c.labHost())));
    }
    return new Mode.Connected(element, connections);
  }

  private static Mode.Bridge bridge(BridgeNetwork b, AnnotatedElement element) {
    String where = describe(element);
    IpPrefix subnet;
    try {
      subnet = IpPrefix.parse(b.subnet());
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + where
          + " is not a valid CIDR: " + e.getMessage() + ". Write it like \"172.17.0.0/16\".");
    }
    if (subnet.isIpv6()) {
      throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + where
          + " is IPv6; bridge networks take an IPv4 subnet (like Docker's default bridge), e.g. \"172.17.0.0/16\".");
    }
    if (!subnet.isNetwork()) {
      throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + where
          + " is not a network address: host bits are set. Use \"" + new IpPrefix(subnet.network(), subnet.length()) + "\".");
    }
    List<SpecialPurposeRanges.Range> special = SpecialPurposeRanges.overlapping(subnet);
    if (!special.isEmpty()) {
      int more = special.size() - 1;
      throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + where
          + " overlaps " + special.get(0)
          + (more == 0 ? "" : ", and " + more + " more special-purpose range" + (more == 1 ? "" : "s"))
          + ", which a bridge network cannot use: addresses there mean something special to every host and router."
          + " Use a private range instead, e.g. \"" + SpecialPurposeRanges.privateAlternative(subnet.length()) + "\".");
    }
    if (subnet.length() > 30) {
      throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + where
          + " has no room for a gateway and an endpoint; use a prefix of /30 or shorter.");
    }
    InetAddress gateway = b.gateway().isEmpty() ? subnet.offset(1)
        : parseHost(b.gateway(), "gateway", subnet, where, "", subnet.offset(1));
    if (b.mtu() < 68 || b.mtu() > 65535) {
      throw new ExtensionConfigurationException("@BridgeNetwork(mtu = " + b.mtu() + ") on " + where
          + " is outside 68..65535, the MTUs a veth accepts; Docker's default is 1500.");
    }
    Optional<InetAddress> address = Optional.empty();
    if (!b.address().isEmpty()) {
      // the example must pass every check here: a host address, and not the gateway
      InetAddress example = subnet.offset(1).equals(gateway) ? subnet.offset(2) : subnet.offset(1);
      InetAddress fixed = parseHost(b.address(), "address", subnet, where, " that is not the gateway", example);
      if (fixed.equals(gateway)) {
        throw new ExtensionConfigurationException("@BridgeNetwork(address = \"" + b.address() + "\") on " + where
            + " is the gateway's address; pick another host of " + subnet + ", e.g. " + InetAddresses.format(example)
            + ".");
      }
      address = Optional.of(fixed);
    }
    return new Mode.Bridge(element, subnet, gateway, b.mtu(), address);
  }

  /**
   * Parses a host address of {@code subnet}.
   *
   * @param rule what else the address must be, as a relative clause for messages (or "")
   * @param example an address that satisfies every rule, for messages
   */
  private static InetAddress parseHost(String text, String attribute, IpPrefix subnet, String where, String rule,
      InetAddress example) {
    InetAddress a;
    try {
      a = InetAddresses.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException("@BridgeNetwork(" + attribute + " = \"" + text + "\") on " + where
          + " is not an IPv4 address: " + e.getMessage() + ".");
    }
    if (a instanceof Inet6Address || !subnet.contains(a)) {
      throw new ExtensionConfigurationException("@BridgeNetwork(" + attribute + " = \"" + text + "\") on " + where
          + " lies outside the subnet " + subnet + "; pick a host address inside it" + rule + ", e.g. "
          + InetAddresses.format(example) + ".");
    }
    if (a.equals(subnet.network()) || a.equals(subnet.broadcast())) {
      throw new ExtensionConfigurationException("@BridgeNetwork(" + attribute + " = \"" + text + "\") on " + where
          + " is the network or broadcast address of " + subnet + "; pick a host address" + rule + ", e.g. "
          + InetAddresses.format(example) + ".");
    }
    return a;
  }
}
