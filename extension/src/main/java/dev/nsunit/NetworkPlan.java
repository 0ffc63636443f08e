package dev.nsunit;

import static dev.nsunit.ModeAnnotations.describe;
import static dev.nsunit.ModeAnnotations.modeOf;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * What a test class declares, read and validated once before anything is built: its endpoints
 * in creation order, the fields whose namespaces a {@link NamespaceResolver} opens, and the mode
 * of each test. Immutable; the extension keeps one per class in JUnit's store.
 *
 * @param endpoints the endpoints, each after the one it shares a namespace with
 * @param externals fields holding objects a resolver opens (a Testcontainers container), by name
 * @param classMode the class's mode (or an enclosing class's), for tests without their own
 * @param methodModes the modes annotated on methods
 * @param networks the user-defined networks the class and its enclosing classes declare, by name
 */
record NetworkPlan(List<Endpoint> endpoints, Map<String, ExternalField> externals,
    Optional<Mode> classMode, Map<Method, Mode> methodModes, Map<String, NetworkDefinition> networks) {

  private static final List<NamespaceResolver> RESOLVERS = loadResolvers();

  /** A {@code NetworkNamespace} field with a mode annotation; its name is the field's. */
  record Endpoint(String name, Field field, Mode mode) {
    boolean isStatic() {
      return Modifier.isStatic(field.getModifiers());
    }
  }

  /** A field whose object's namespace {@code resolver} opens, such as a started container. */
  record ExternalField(String name, Field field, NamespaceResolver resolver) {
    boolean isStatic() {
      return Modifier.isStatic(field.getModifiers());
    }
  }

  NetworkPlan {
    endpoints = List.copyOf(endpoints);
    externals = Map.copyOf(externals);
    methodModes = Map.copyOf(methodModes);
    networks = Map.copyOf(networks);
  }

  /** The mode of {@code method}: its own annotation, else its class's, else an enclosing class's. */
  Optional<Mode> testMode(Method method) {
    Mode own = methodModes.get(method);
    return own != null ? Optional.of(own) : classMode;
  }

  /**
   * Reads and validates everything {@code testClass} declares: endpoints, sharing references and
   * cycles (also through {@code @Nested} classes), subnets that overlap or disagree on their
   * gateway, fixed addresses, pool sizes, and every test method's mode.
   *
   * @throws ExtensionConfigurationException naming the element, the rule and the fix
   */
  static NetworkPlan of(Class<?> testClass) {
    Map<String, Endpoint> endpoints = new LinkedHashMap<>();
    Map<String, ExternalField> externals = new LinkedHashMap<>();
    Map<String, Field> otherFields = new LinkedHashMap<>();
    for (Class<?> c : scope(testClass)) {
      for (Field f : ReflectionSupport.findFields(c, f -> true, HierarchyTraversalMode.TOP_DOWN)) {
        Optional<Mode> mode = modeOf(f);
        if (mode.isEmpty()) {
          Optional<NamespaceResolver> resolver = resolverFor(f.getType());
          if (resolver.isPresent()) {
            externals.putIfAbsent(f.getName(), new ExternalField(f.getName(), f, resolver.get()));
          } else {
            otherFields.putIfAbsent(f.getName(), f);
          }
          continue;
        }
        Endpoint endpoint = endpoint(f, mode.get());
        Endpoint previous = endpoints.get(f.getName());
        if (previous != null && !previous.field().equals(f)) {
          if (c != testClass && previous.field().getDeclaringClass() != c) {
            continue; // an enclosing class's endpoint hidden by an inner one of the same name
          }
          throw new ExtensionConfigurationException("two endpoints are named \"" + f.getName() + "\": "
              + describe(previous.field()) + " and " + describe(f)
              + ". Endpoint names are field names and must be unique; rename one.");
        }
        endpoints.putIfAbsent(f.getName(), endpoint);
      }
    }
    // reflection order is unspecified; messages and creation order must not be
    List<Endpoint> byName = endpoints.values().stream().sorted(Comparator.comparing(Endpoint::name))
        .collect(Collectors.toList());
    Targets targets = new Targets(testClass, endpoints, externals, otherFields, byName);

    for (Endpoint e : byName) {
      if (e.mode() instanceof Mode.Shared) {
        Endpoint target = targets.check((Mode.Shared) e.mode(), e.name()).orElse(null);
        if (target != null && e.isStatic() && !target.isStatic()) {
          throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + target.name() + "\") on " + e.mode().where()
              + " is static but names the per-test endpoint " + describe(target.field())
              + "; a static endpoint lives for all tests and can only share with another static one. Make both static, or neither.");
        }
      }
    }
    List<Endpoint> creationOrder = creationOrder(byName, endpoints);

    Optional<Mode> classMode = Optional.empty();
    List<Mode> testModes = new ArrayList<>();
    for (Class<?> c : scope(testClass)) {
      Optional<Mode> m = modeOf(c);
      m.ifPresent(testModes::add);
      if (classMode.isEmpty()) {
        classMode = m;
      }
    }
    Map<Method, Mode> methodModes = new HashMap<>();
    for (Method m : ReflectionSupport.findMethods(testClass, x -> true, HierarchyTraversalMode.TOP_DOWN)) {
      modeOf(m).ifPresent(mode -> {
        methodModes.put(m, mode);
        testModes.add(mode);
      });
    }
    for (Mode mode : testModes) {
      if (mode instanceof Mode.Shared shared) {
        targets.check(shared, null);
      }
    }
    checkSubnets(bridges(byName, testModes));
    checkAddresses(byName, testModes);
    Map<String, NetworkDefinition> networks = networks(testClass);
    NetworkChecks.check(networks, byName, testModes, bridges(byName, testModes));
    return new NetworkPlan(creationOrder, externals, classMode, methodModes, networks);
  }

  /**
   * The {@link Network}s of {@code testClass} and its enclosing classes, checked. One name
   * declared twice must be declared the same way.
   */
  private static Map<String, NetworkDefinition> networks(Class<?> testClass) {
    Map<String, NetworkDefinition> out = new LinkedHashMap<>();
    Map<String, Class<?>> declaredOn = new HashMap<>();
    for (Class<?> c : scope(testClass)) {
      for (Network n : AnnotationSupport.findRepeatableAnnotations(c, Network.class)) {
        NetworkDefinition d;
        try {
          d = NetworkDefinition.check(n.name(), n.subnet(), n.gateway(), n.internal(), n.ipv6Subnet(), n.driver());
        } catch (IllegalArgumentException e) {
          throw new ExtensionConfigurationException(NetworkChecks.text(n) + " on " + describe(c) + ": " + e.getMessage(),
              e);
        }
        NetworkDefinition previous = out.get(n.name());
        if (previous != null && !previous.equals(d)) {
          throw new ExtensionConfigurationException(NetworkChecks.text(n) + " on " + describe(c) + " declares network "
              + n.name() + " differently from " + describe(declaredOn.get(n.name())) + "; one name is one network."
              + " Declare it once, or give the other one another name.");
        }
        out.putIfAbsent(n.name(), d);
        declaredOn.putIfAbsent(n.name(), c);
      }
    }
    return out;
  }

  private static Endpoint endpoint(Field f, Mode mode) {
    String where = describe(f);
    if (f.getType() != NetworkNamespace.class) {
      throw new ExtensionConfigurationException(where + " has type " + f.getType().getSimpleName()
          + ", but a network mode annotation on a field declares an endpoint and needs type NetworkNamespace."
          + " Declare it as: NetworkNamespace " + f.getName() + ";");
    }
    if (Modifier.isFinal(f.getModifiers())) {
      throw new ExtensionConfigurationException(where + " is final, but nsunit assigns endpoint fields."
          + " Remove the final modifier.");
    }
    if (mode instanceof Mode.Shared shared && shared.endpoint().equals(f.getName())) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + f.getName() + "\") on " + where
          + " names the field itself; an endpoint cannot join its own namespace. Name another endpoint.");
    }
    return new Endpoint(f.getName(), f, mode);
  }

  /** What a {@code @SharedNetworkWith} name can refer to, for checking it. */
  private record Targets(Class<?> testClass, Map<String, Endpoint> endpoints, Map<String, ExternalField> externals,
      Map<String, Field> otherFields, List<Endpoint> declared) {

    /**
     * The endpoint {@code shared} names; empty if it names an external field instead.
     *
     * @param sharer the name of the endpoint that shares, or null for a test's mode
     */
    Optional<Endpoint> check(Mode.Shared shared, String sharer) {
      String name = shared.endpoint();
      Endpoint target = endpoints.get(name);
      if (target != null) {
        return Optional.of(target);
      }
      if (externals.containsKey(name)) {
        return Optional.empty();
      }
      Field other = otherFields.get(name);
      if (other != null) {
        throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + name + "\") on " + shared.where()
            + " names " + describe(other) + " of type " + other.getType().getSimpleName() + ", which is not an"
            + " endpoint: it has no network mode annotation, and no NamespaceResolver on the test classpath opens a "
            + other.getType().getSimpleName() + ". For a Testcontainers container, add the test dependency"
            + " dev.nsunit:nsunit-testcontainers (same version as nsunit-extension); for an endpoint of your own,"
            + " declare it as a NetworkNamespace field with a mode annotation.");
      }
      Optional<Endpoint> nested = nestedEndpoint(testClass, name);
      if (nested.isPresent()) {
        throw nestedTarget(shared, sharer, nested.get());
      }
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + name + "\") on " + shared.where()
          + " names no endpoint; declared endpoints: " + declared.stream().map(Endpoint::name).collect(Collectors.toList())
          + ". Declare a NetworkNamespace field called " + name + " with a mode annotation, or fix the name.");
    }
  }

  /**
   * The failure for a name that only an endpoint of a {@code @Nested} class declares: a cycle if
   * following the names from there leads back to {@code sharer}, the same message a cycle within
   * one class gets; otherwise that the enclosing class cannot see it.
   */
  private static ExtensionConfigurationException nestedTarget(Mode.Shared shared, String sharer, Endpoint target) {
    if (sharer != null) {
      List<String> path = new ArrayList<>(List.of(sharer));
      Set<Field> seen = new HashSet<>();
      Endpoint e = target;
      // each name resolved as the class declaring the previous endpoint sees it
      while (e != null && seen.add(e.field())) {
        path.add(e.name());
        if (!(e.mode() instanceof Mode.Shared next)) {
          break;
        }
        if (next.endpoint().equals(sharer)) {
          path.add(sharer);
          return cycle(path);
        }
        e = visibleFrom(e.field().getDeclaringClass(), next.endpoint()).orElse(null);
      }
    }
    Class<?> owner = target.field().getDeclaringClass();
    Class<?> testClass = declaringClass(shared);
    String what = shared.declaredOn() instanceof Field f ? f.getName()
        : shared.declaredOn() instanceof Method m ? m.getName() + "()" : "the annotation";
    return new ExtensionConfigurationException("@SharedNetworkWith(\"" + target.name() + "\") on " + shared.where()
        + " names " + describe(target.field()) + ", an endpoint of the @Nested class " + owner.getSimpleName()
        + ", which " + testClass.getSimpleName() + " cannot see: an enclosing class's endpoints are built before its"
        + " nested classes' exist. Declare " + target.name() + " in " + testClass.getSimpleName() + ", or move "
        + what + " into " + owner.getSimpleName() + ".");
  }

  /** The class whose annotation {@code mode} is, or whose field or method carries it. */
  private static Class<?> declaringClass(Mode mode) {
    AnnotatedElement e = mode.declaredOn();
    return e instanceof Class<?> c ? c : ((Member) e).getDeclaringClass();
  }

  private static ExtensionConfigurationException cycle(List<String> path) {
    return new ExtensionConfigurationException("@SharedNetworkWith forms a cycle: " + String.join(" -> ", path)
        + "; someone must own a namespace. Give one endpoint of the cycle its own mode (@NoNetwork or @BridgeNetwork).");
  }

  /** The endpoint called {@code name} as code in {@code c} sees it: its own, a superclass's or an enclosing class's. */
  private static Optional<Endpoint> visibleFrom(Class<?> c, String name) {
    for (Class<?> k : scope(c)) {
      for (Field f : ReflectionSupport.findFields(k, f -> f.getName().equals(name), HierarchyTraversalMode.TOP_DOWN)) {
        Optional<Mode> mode = modeOf(f);
        if (mode.isPresent()) {
          return Optional.of(new Endpoint(name, f, mode.get()));
        }
      }
    }
    return Optional.empty();
  }

  /** The endpoint called {@code name} in the {@code @Nested} classes of {@code c}, the shallowest first. */
  private static Optional<Endpoint> nestedEndpoint(Class<?> c, String name) {
    List<Class<?>> level = List.of(c);
    while (!level.isEmpty()) {
      List<Class<?>> next = new ArrayList<>();
      for (Class<?> k : level) {
        next.addAll(ReflectionSupport.findNestedClasses(k,
            n -> !Modifier.isStatic(n.getModifiers()) && n.isAnnotationPresent(Nested.class)));
      }
      next.sort(Comparator.comparing(Class::getName));
      for (Class<?> n : next) {
        for (Field f : ReflectionSupport.findFields(n, f -> f.getName().equals(name), HierarchyTraversalMode.TOP_DOWN)) {
          Optional<Mode> mode = modeOf(f);
          if (mode.isPresent() && f.getDeclaringClass() == n) {
            return Optional.of(new Endpoint(name, f, mode.get()));
          }
        }
      }
      level = next;
    }
    return Optional.empty();
  }

  /**
   * Subnets of one class must be able to live in one lab: the same subnet is one bridge with one
   * gateway, and different subnets must not overlap. Checked over every {@code @BridgeNetwork}
   * of the class, alive together or not, since a bridge outlives its endpoints; in a fixed order,
   * so that the message does not depend on the order the tests run in.
   */
  private static void checkSubnets(List<Mode.Bridge> bridges) {
    List<Mode.Bridge> sorted = new ArrayList<>(bridges);
    sorted.sort(Comparator.comparing((Mode.Bridge b) -> Integer.toUnsignedLong(ipv4(b.subnet())))
        .thenComparingInt(b -> b.subnet().length()).thenComparing(Mode::where));
    for (int i = 0; i < sorted.size(); i++) {
      Mode.Bridge a = sorted.get(i);
      for (int j = i + 1; j < sorted.size(); j++) {
        Mode.Bridge b = sorted.get(j);
        if (a.subnet().equals(b.subnet())) {
          if (!a.gateway().equals(b.gateway())) {
            throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + a.subnet() + "\") on " + a.where()
                + " has gateway " + InetAddresses.format(a.gateway()) + ", but on " + b.where() + " gateway "
                + InetAddresses.format(b.gateway()) + "; one subnet is one bridge, and a bridge has one address."
                + " Give both the same gateway.");
          }
        } else if (a.subnet().overlaps(b.subnet())) {
          throw new ExtensionConfigurationException("@BridgeNetwork(subnet = \"" + a.subnet() + "\") on " + a.where()
              + " overlaps @BridgeNetwork(subnet = \"" + b.subnet() + "\") on " + b.where() + "; each subnet is a"
              + " bridge of its own, and two bridges cannot share addresses (Docker refuses overlapping networks too)."
              + " Use the same subnet for both, or subnets that do not overlap.");
        }
      }
    }
  }

  private static int ipv4(IpPrefix prefix) {
    byte[] b = prefix.network().getAddress();
    return (b[0] & 0xff) << 24 | (b[1] & 0xff) << 16 | (b[2] & 0xff) << 8 | (b[3] & 0xff);
  }

  /** Every {@code @BridgeNetwork} of the class: its endpoints' and its tests'. */
  private static List<Mode.Bridge> bridges(List<Endpoint> endpoints, List<Mode> testModes) {
    List<Mode.Bridge> bridges = new ArrayList<>();
    for (Endpoint e : endpoints) {
      if (e.mode() instanceof Mode.Bridge b) {
        bridges.add(b);
      }
    }
    for (Mode m : testModes) {
      if (m instanceof Mode.Bridge b) {
        bridges.add(b);
      }
    }
    return bridges;
  }

  private static void checkAddresses(List<Endpoint> endpoints, List<Mode> testModes) {
    Map<InetAddress, String> taken = new HashMap<>();
    Map<IpPrefix, Integer> needed = new HashMap<>();
    for (Endpoint e : endpoints) {
      if (!(e.mode() instanceof Mode.Bridge)) {
        continue;
      }
      Mode.Bridge b = (Mode.Bridge) e.mode();
      needed.merge(b.subnet(), 1, Integer::sum);
      if (b.address().isPresent()) {
        String previous = taken.putIfAbsent(b.address().get(), b.where());
        if (previous != null) {
          throw new ExtensionConfigurationException("@BridgeNetwork(address = \"" + InetAddresses.format(b.address().get())
              + "\") on " + b.where() + " is already taken by " + previous
              + "; two endpoints cannot hold one address. Give one of them another address, or leave address empty.");
        }
      }
    }
    Map<IpPrefix, Integer> testNeeds = new HashMap<>();
    for (Mode m : testModes) {
      if (!(m instanceof Mode.Bridge b)) {
        continue;
      }

      testNeeds.put(b.subnet(), 1); // one test runs at a time per class instance
      if (b.address().isPresent() && taken.containsKey(b.address().get())) {
        throw new ExtensionConfigurationException("@BridgeNetwork(address = \"" + InetAddresses.format(b.address().get())
            + "\") on " + b.where() + " is already taken by " + taken.get(b.address().get())
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

  /** Endpoints ordered so that every shared endpoint comes after the one it joins; detects cycles. */
  private static List<Endpoint> creationOrder(List<Endpoint> endpoints, Map<String, Endpoint> byName) {
    List<Endpoint> ordered = new ArrayList<>();
    Map<String, Boolean> done = new HashMap<>(); // false while visiting
    for (Endpoint e : endpoints) {
      visit(e, byName, done, ordered, new ArrayList<>());
    }
    return ordered;
  }

  private static void visit(Endpoint e, Map<String, Endpoint> byName, Map<String, Boolean> done,
      List<Endpoint> ordered, List<String> path) {
    Boolean state = done.get(e.name());
    if (Boolean.TRUE.equals(state)) {
      return;
    }
    path.add(e.name());
    if (state != null) {
      throw cycle(path);
    }
    done.put(e.name(), false);
    if (e.mode() instanceof Mode.Shared) {
      Endpoint target = byName.get(((Mode.Shared) e.mode()).endpoint());
      if (target != null) {
        visit(target, byName, done, ordered, path);
      }
    }
    path.remove(path.size() - 1);
    done.put(e.name(), true);
    ordered.add(e);
  }

  /** The classes whose fields declare endpoints visible to {@code testClass}: itself, superclasses, enclosing classes. */
  private static List<Class<?>> scope(Class<?> testClass) {
    List<Class<?>> out = new ArrayList<>();
    for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
      out.add(c);
    }
    return out;
  }

  private static List<NamespaceResolver> loadResolvers() {
    List<NamespaceResolver> out = new ArrayList<>();
    ServiceLoader.load(NamespaceResolver.class, NetworkPlan.class.getClassLoader()).forEach(out::add);
    return List.copyOf(out);
  }

  private static Optional<NamespaceResolver> resolverFor(Class<?> type) {
    return RESOLVERS.stream().filter(r -> r.handles(type)).findFirst();
  }
}
