package dev.nsunit;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Reads and validates the network-mode annotations of a test class before anything is built:
 * every misuse becomes an {@link ExtensionConfigurationException} naming the element, the rule
 * and the fix.
 */
final class NetworkPlan {
  private static final List<Class<? extends Annotation>> MODES =
      List.of(NoNetwork.class, HostNetwork.class, BridgeNetwork.class, SharedNetworkWith.class);

  enum Kind { NONE, HOST, BRIDGE, SHARED, EXTERNAL }

  /** A bridge endpoint's settings, parsed and checked. */
  record BridgeSettings(IpPrefix subnet, InetAddress gateway, int mtu, InetAddress address) {}

  /** One element's network mode. */
  record Mode(Kind kind, BridgeSettings bridge, String sharedWith, String element) {
    boolean needsPrivileges() {
      return kind == Kind.NONE || kind == Kind.BRIDGE;
    }
  }

  /**
   * A named endpoint: a {@code NetworkNamespace} field with a mode annotation, or (kind
   * EXTERNAL) a field holding an object whose namespace a {@link NamespaceResolver} opens, such
   * as a Testcontainers container. {@code resolver} is null when none is on the classpath.
   */
  record Endpoint(String name, Field field, boolean isStatic, Mode mode, NamespaceResolver resolver) {}

  private static final List<NamespaceResolver> RESOLVERS = loadResolvers();

  private static List<NamespaceResolver> loadResolvers() {
    List<NamespaceResolver> out = new ArrayList<>();
    ServiceLoader.load(NamespaceResolver.class, NetworkPlan.class.getClassLoader()).forEach(out::add);
    return List.copyOf(out);
  }

  private static Optional<NamespaceResolver> resolverFor(Class<?> type) {
    return RESOLVERS.stream().filter(r -> r.handles(type)).findFirst();
  }

  /** Whether {@code type} is a Testcontainers type, checked by name so Testcontainers stays optional. */
  static boolean isTestcontainersType(Class<?> type) {
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      if (c.getName().startsWith("org.testcontainers.")) {
        return true;
      }
      for (Class<?> i : c.getInterfaces()) {
        if (isTestcontainersType(i)) {
          return true;
        }
      }
    }
    return false;
  }

  private NetworkPlan() {}

  static String describe(AnnotatedElement element) {
    if (element instanceof Method) {
      Method m = (Method) element;
      return "[method " + m.getDeclaringClass().getSimpleName() + "." + m.getName() + "()]";
    }
    if (element instanceof Field) {
      Field f = (Field) element;
      return "[field " + f.getDeclaringClass().getSimpleName() + "." + f.getName() + "]";
    }
    if (element instanceof Class) {
      return "[class " + ((Class<?>) element).getSimpleName() + "]";
    }
    return "[" + element + "]";
  }

  /** The mode annotation on {@code element} (directly or as a meta-annotation), if any. */
  static Optional<Mode> modeOf(AnnotatedElement element) {
    String where = describe(element);
    List<Annotation> found = new ArrayList<>();
    for (Class<? extends Annotation> type : MODES) {
      AnnotationSupport.findAnnotation(element, type).ifPresent(found::add);
    }
    if (found.size() > 1) {
      throw new ExtensionConfigurationException(where + " carries "
          + found.stream().map(a -> "@" + a.annotationType().getSimpleName()).collect(Collectors.joining(" and "))
          + ", but a test or endpoint has exactly one network mode, as a container has one --network."
          + " Keep one of them.");
    }
    if (found.isEmpty()) {
      return Optional.empty();
    }
    Annotation a = found.get(0);
    if (a instanceof NoNetwork) {
      return Optional.of(new Mode(Kind.NONE, null, null, where));
    }
    if (a instanceof HostNetwork) {
      return Optional.of(new Mode(Kind.HOST, null, null, where));
    }
    if (a instanceof SharedNetworkWith) {
      String name = ((SharedNetworkWith) a).value();
      if (name.isBlank()) {
        throw new ExtensionConfigurationException("@SharedNetworkWith(\"\") on " + where
            + " names no endpoint; give the name of a NetworkNamespace field, e.g. @SharedNetworkWith(\"redis\")");
      }
      return Optional.of(new Mode(Kind.SHARED, null, name, where));
    }
    return Optional.of(new Mode(Kind.BRIDGE, bridgeSettings((BridgeNetwork) a, where), null, where));
  }

  private static BridgeSettings bridgeSettings(BridgeNetwork b, String where) {
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
    if (subnet.length() > 30) {
      throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + where
          + " has no room for a gateway and an endpoint; use a prefix of /30 or shorter.");
    }
    InetAddress gateway;
    if (b.gateway().isEmpty()) {
      gateway = subnet.offset(1);
    } else {
      gateway = parseHost(b.gateway(), "gateway", subnet, where);
    }
    if (b.mtu() < 68 || b.mtu() > 65535) {
      throw new ExtensionConfigurationException("@BridgeNetwork(mtu = " + b.mtu() + ") on " + where
          + " is outside 68..65535, the MTUs a veth accepts; Docker's default is 1500.");
    }
    InetAddress address = null;
    if (!b.address().isEmpty()) {
      address = parseHost(b.address(), "address", subnet, where);
      if (address.equals(gateway)) {
        throw new ExtensionConfigurationException("@BridgeNetwork(address = \"" + b.address() + "\") on " + where
            + " is the gateway's address; pick another host of " + subnet + ".");
      }
    }
    return new BridgeSettings(subnet, gateway, b.mtu(), address);
  }

  private static InetAddress parseHost(String text, String attribute, IpPrefix subnet, String where) {
    InetAddress a;
    try {
      a = InetAddresses.parse(text);
    } catch (IllegalArgumentException e) {
      throw new ExtensionConfigurationException("@BridgeNetwork(" + attribute + " = \"" + text + "\") on " + where
          + " is not an IPv4 address: " + e.getMessage() + ".");
    }
    if (a instanceof Inet6Address || !subnet.contains(a)) {
      throw new ExtensionConfigurationException("@BridgeNetwork(" + attribute + " = \"" + text + "\") on " + where
          + " lies outside the subnet " + subnet + "; pick a host address inside it, e.g. " + InetAddresses.format(subnet.offset(1)) + ".");
    }
    if (a.equals(subnet.network()) || a.equals(subnet.broadcast())) {
      throw new ExtensionConfigurationException("@BridgeNetwork(" + attribute + " = \"" + text + "\") on " + where
          + " is the network or broadcast address of " + subnet + "; pick a host address, e.g. "
          + InetAddresses.format(subnet.offset(1)) + ".");
    }
    return a;
  }

  /** The classes whose fields declare endpoints visible to {@code testClass}: itself, superclasses, enclosing classes. */
  private static List<Class<?>> scope(Class<?> testClass) {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      out.add(c);
    }
    return out;
  }

  /** Every endpoint visible to {@code testClass}, checked (type, final, duplicate names). */
  static List<Endpoint> endpoints(Class<?> testClass) {
    Map<String, Endpoint> byName = new LinkedHashMap<>();
    for (Class<?> c : scope(testClass)) {
      List<Field> fields = ReflectionSupport.findFields(c, f -> true, HierarchyTraversalMode.TOP_DOWN);
      for (Field f : fields) {
        Optional<Mode> mode = modeOf(f);
        String where = describe(f);
        if (mode.isEmpty()) {
          Optional<NamespaceResolver> resolver = resolverFor(f.getType());
          if ((resolver.isPresent() || isTestcontainersType(f.getType())) && !byName.containsKey(f.getName())) {
            byName.put(f.getName(), new Endpoint(f.getName(), f, Modifier.isStatic(f.getModifiers()),
                new Mode(Kind.EXTERNAL, null, null, where), resolver.orElse(null)));
          }
          continue;
        }
        if (f.getType() != NetworkNamespace.class) {
          throw new ExtensionConfigurationException(where + " has type " + f.getType().getSimpleName()
              + ", but a network mode annotation on a field declares an endpoint and needs type NetworkNamespace."
              + " Declare it as: NetworkNamespace " + f.getName() + ";");
        }
        if (Modifier.isFinal(f.getModifiers())) {
          throw new ExtensionConfigurationException(where + " is final, but nsunit assigns endpoint fields."
              + " Remove the final modifier.");
        }
        if (mode.get().kind() == Kind.SHARED && mode.get().sharedWith().equals(f.getName())) {
          throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + f.getName() + "\") on " + where
              + " names the field itself; an endpoint cannot join its own namespace. Name another endpoint.");
        }
        Endpoint previous = byName.get(f.getName());
        if (previous != null && !previous.field().equals(f)) {
          if (c != testClass && previous.field().getDeclaringClass() != c) {
            continue; // an enclosing class's endpoint hidden by an inner one of the same name
          }
          throw new ExtensionConfigurationException("two endpoints are named \"" + f.getName() + "\": "
              + describe(previous.field()) + " and " + where + ". Endpoint names are field names and must be unique; rename one.");
        }
        byName.putIfAbsent(f.getName(), new Endpoint(f.getName(), f, Modifier.isStatic(f.getModifiers()), mode.get(), null));
      }
    }
    List<Endpoint> out = new ArrayList<>(byName.values());
    out.sort(java.util.Comparator.comparing(Endpoint::name)); // reflection order is unspecified; messages must not be
    return out;
  }

  /** The test's mode: the method's annotation, else its class's, else an enclosing class's. */
  static Optional<Mode> testMode(Method method, Class<?> testClass) {
    Optional<Mode> m = modeOf(method);
    if (m.isPresent()) {
      return m;
    }
    for (Class<?> c : scope(testClass)) {
      m = modeOf(c);
      if (m.isPresent()) {
        return m;
      }
    }
    return Optional.empty();
  }

  /**
   * Validates everything the class declares before anything is built: endpoints, sharing
   * references and cycles, fixed addresses, pool sizes, and every test method's mode.
   */
  static List<Endpoint> validate(Class<?> testClass) {
    List<Endpoint> endpoints = endpoints(testClass);
    Map<String, Endpoint> byName = new HashMap<>();
    endpoints.forEach(e -> byName.put(e.name(), e));
    for (Endpoint e : endpoints) {
      if (e.mode().kind() == Kind.SHARED) {
        Endpoint target = byName.get(e.mode().sharedWith());
        checkSharedTarget(e.mode(), target, endpoints);
        if (e.isStatic() && !target.isStatic()) {
          throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + target.name() + "\") on " + e.mode().element()
              + " is static but names the per-test endpoint " + describe(target.field())
              + "; a static endpoint lives for all tests and can only share with another static one. Make both static, or neither.");
        }
      }
    }
    creationOrder(endpoints); // detects cycles
    List<Mode> testModes = new ArrayList<>();
    for (Class<?> c : scope(testClass)) {
      modeOf(c).ifPresent(testModes::add);
    }
    for (Method m : ReflectionSupport.findMethods(testClass, x -> true, HierarchyTraversalMode.TOP_DOWN)) {
      modeOf(m).ifPresent(testModes::add);
    }
    for (Mode mode : testModes) {
      if (mode.kind() == Kind.SHARED) {
        checkSharedTarget(mode, byName.get(mode.sharedWith()), endpoints);
      }
    }
    checkFixedAddresses(endpoints, testModes);
    return endpoints;
  }

  private static void checkSharedTarget(Mode mode, Endpoint target, List<Endpoint> endpoints) {
    if (target != null && target.mode().kind() == Kind.EXTERNAL && target.resolver() == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.sharedWith() + "\") on " + mode.element()
          + " names the Testcontainers container " + describe(target.field()) + ", but nsunit-testcontainers is not"
          + " on the test classpath. Add the test dependency dev.nsunit:nsunit-testcontainers (same version as"
          + " nsunit-extension).");
    }
    if (target == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.sharedWith() + "\") on " + mode.element()
          + " names no endpoint; declared endpoints: " + endpoints.stream().map(Endpoint::name).collect(Collectors.toList())
          + ". Declare a NetworkNamespace field called " + mode.sharedWith() + " with a mode annotation, or fix the name.");
    }
  }

  private static void checkFixedAddresses(List<Endpoint> endpoints, List<Mode> testModes) {
    Map<InetAddress, String> taken = new HashMap<>();
    Map<IpPrefix, Integer> needed = new HashMap<>();
    Map<IpPrefix, Integer> testNeeds = new HashMap<>();
    for (Endpoint e : endpoints) {
      BridgeSettings b = e.mode().bridge();
      if (b == null) {
        continue;
      }
      needed.merge(b.subnet(), 1, Integer::sum);
      if (b.address() != null) {
        String previous = taken.putIfAbsent(b.address(), e.mode().element());
        if (previous != null) {
          throw new ExtensionConfigurationException("@BridgeNetwork(address = \"" + InetAddresses.format(b.address())
              + "\") on " + e.mode().element() + " is already taken by " + previous
              + "; two endpoints cannot hold one address. Give one of them another address, or leave address empty.");
        }
      }
    }
    for (Mode m : testModes) {
      BridgeSettings b = m.bridge();
      if (b == null) {
        continue;
      }
      testNeeds.put(b.subnet(), 1);
      if (b.address() != null && taken.containsKey(b.address())) {
        throw new ExtensionConfigurationException("@BridgeNetwork(address = \"" + InetAddresses.format(b.address())
            + "\") on " + m.element() + " is already taken by " + taken.get(b.address())
            + ", which is alive during the test. Give the test another address, or leave address empty.");
      }
    }
    testNeeds.forEach((subnet, n) -> needed.merge(subnet, n, Integer::sum));
    needed.forEach((subnet, n) -> {
      long room = subnet.size() - 3; // network, gateway, broadcast
      if (n > room) {
        throw new ExtensionConfigurationException("the address pool of " + subnet + " is exhausted before the"
            + " first test: it has room for " + room + " endpoint(s), but this class keeps " + n
            + " alive at once. Use a larger subnet in @BridgeNetwork(subnet = ...).");
      }
    });
  }

  /** Endpoints ordered so that every shared endpoint comes after the one it joins. */
  static List<Endpoint> creationOrder(List<Endpoint> endpoints) {
    Map<String, Endpoint> byName = new HashMap<>();
    endpoints.forEach(e -> byName.put(e.name(), e));
    List<Endpoint> ordered = new ArrayList<>();
    Map<String, Integer> state = new HashMap<>(); // 1 visiting, 2 done
    for (Endpoint e : endpoints) {
      visit(e, byName, state, ordered, new ArrayList<>());
    }
    return ordered;
  }

  private static void visit(Endpoint e, Map<String, Endpoint> byName, Map<String, Integer> state,
      List<Endpoint> ordered, List<String> path) {
    Integer s = state.get(e.name());
    if (s != null && s == 2) {
      return;
    }
    path.add(e.name());
    if (s != null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith forms a cycle: " + String.join(" -> ", path)
          + "; someone must own a namespace. Give one endpoint of the cycle its own mode (@NoNetwork or @BridgeNetwork).");
    }
    state.put(e.name(), 1);
    if (e.mode().kind() == Kind.SHARED) {
      Endpoint target = byName.get(e.mode().sharedWith());
      if (target != null) {
        visit(target, byName, state, ordered, path);
      }
    }
    path.remove(path.size() - 1);
    state.put(e.name(), 2);
    ordered.add(e);
  }
}
