package dev.nsunit;

import dev.nsunit.NetworkPlan.ExternalField;
import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Builds the namespace one mode asks for, owned by a scope: a new one (none), the JVM's own
 * (host), an endpoint on a lab bridge (bridge), or an existing one (shared with an endpoint or
 * an external field).
 */
final class EndpointFactory implements Mode.Cases<NetworkNamespace> {
  private static final int MTU = 1500;
  private static volatile NetworkNamespace labHost;

  private final String name;
  private final NetworkPlan plan;
  private final ScopeResources scope;
  private final Function<String, NetworkNamespace> endpoints;
  private final List<Object> instances;

  /**
   * @param name the endpoint's name (field or test method), for messages and thread names
   * @param endpoints finds an endpoint already built in this scope or an enclosing one, or null
   * @param instances the test instances, for instance fields; empty in a class scope
   */
  EndpointFactory(String name, NetworkPlan plan, ScopeResources scope,
      Function<String, NetworkNamespace> endpoints, List<Object> instances) {
    this.name = name;
    this.plan = plan;
    this.scope = scope;
    this.endpoints = endpoints;
    this.instances = instances;
  }

  /**
   * Builds the endpoint {@code mode} asks for. Its published ports ({@link Publish}) are bound
   * first, so that a taken host port fails before anything is built.
   */
  NetworkNamespace build(Mode mode) {
    List<PortPublishing.Spec> specs = PortPublishing.of(mode.declaredOn()); // checked with the mode already
    if (specs.isEmpty()) {
      return KernelFailures.translate(() -> mode.match(this));
    }
    AtomicReference<Netns> target = new AtomicReference<>();
    List<PortPublishing.Published> ports = new ArrayList<>();
    NetworkNamespace ns;
    try {
      for (PortPublishing.Spec spec : specs) {
        try {
          ports.add(PortPublishing.bind(spec, "endpoint " + name,
              () -> Optional.ofNullable(target.get()).flatMap(EndpointNetworks::firstAddress)));
        } catch (IllegalArgumentException | IllegalStateException e) {
          throw new ExtensionConfigurationException("@Publish on " + mode.where() + ": " + e.getMessage(), e);
        }
      }
      ns = KernelFailures.translate(() -> mode.match(this));
    } catch (RuntimeException e) {
      for (PortPublishing.Published p : ports) {
        p.close();
      }
      throw e;
    }
    target.set(ns.netns());
    EndpointNetworks.of(ns.netns()).adopt(ports);
    return ns;
  }

  @Override
  public NetworkNamespace none(Mode.None mode) {
    return scope.own(managed(Netns.create("endpoint " + name), null, true));
  }

  @Override
  public NetworkNamespace host(Mode.Host mode) {
    return scope.own(managed(Netns.host(), null, false));
  }

  @Override
  public NetworkNamespace bridge(Mode.Bridge b) {
    Lab.Attachment attachment;
    try {
      KernelFeatures.require(KernelFeatures.Feature.VETH); // before the lab or anything else is built
      KernelFeatures.require(KernelFeatures.Feature.BRIDGE);
      Lab lab = Lab.get();
      attachment = lab.attach(name, lab.bridge(b.subnet(), b.gateway()), b.address().orElse(null), b.mtu());
    } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
      throw new ExtensionConfigurationException("@BridgeNetwork on " + b.where() + ": " + e.getMessage(), e);
    }
    NetworkNamespace ns = managed(attachment.endpoint(), attachment, true);
    EndpointNetworks.of(attachment.endpoint()).add(
        new EndpointNetworks.Joined(LabNetwork.defaultBridge(attachment.bridge()), attachment, name, List.of()));
    return scope.own(ns);
  }

  @Override
  public NetworkNamespace connected(Mode.Connected mode) {
    Netns netns;
    List<LabNetwork> networks = new ArrayList<>();
    try {
      KernelFeatures.require(KernelFeatures.Feature.VETH); // before the lab or anything else is built
      KernelFeatures.require(KernelFeatures.Feature.BRIDGE);
      for (Mode.Connection c : mode.connections()) {
        networks.add(network(c.network()));
      }
    } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
      throw new ExtensionConfigurationException("@Connect on " + mode.where() + ": " + e.getMessage(), e);
    }
    netns = Netns.create("endpoint " + name);
    NetworkNamespace ns = managed(netns, null, true);
    try {
      EndpointNetworks joined = EndpointNetworks.of(netns);
      Lab lab = Lab.get();
      for (int i = 0; i < networks.size(); i++) {
        Mode.Connection c = mode.connections().get(i);
        joined.connect(lab, networks.get(i), name, c.address().orElse(null), c.aliases(), MTU, c.labHost().orElse(null));
      }
    } catch (RuntimeException e) {
      try {
        ns.release();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      if (e instanceof IllegalArgumentException || e instanceof IllegalStateException) {
        throw new ExtensionConfigurationException("@Connect on " + mode.where() + ": " + e.getMessage(), e);
      }
      throw e;
    }
    return scope.own(ns);
  }

  /** The lab network {@code name}: Docker's default bridge, or one the plan declares, created on first use. */
  private LabNetwork network(String networkName) {
    if (networkName.equals(LabNetwork.DEFAULT_BRIDGE)) {
      return LabNetwork.bridge();
    }
    NetworkDefinition d = plan.networks().get(networkName);
    if (d == null) { // the plan checked every name; a test's own mode is checked there too
      throw new IllegalStateException("network " + networkName + " is not declared");
    }
    return LabNetwork.of(d);
  }

  @Override
  public NetworkNamespace shared(Mode.Shared mode) {
    ExternalField external = plan.externals().get(mode.endpoint());
    boolean isEndpoint = plan.endpoints().stream().anyMatch(e -> e.name().equals(mode.endpoint()));
    if (external != null && !isEndpoint) {
      Object owner = external.isStatic() ? null : ownerOf(external.field().getDeclaringClass(), instances);
      return scope.own(ExternalNamespaces.open(external, mode, owner));
    }
    NetworkNamespace target = endpoints.apply(mode.endpoint());
    if (target == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.endpoint() + "\") on "
          + mode.where() + " names an endpoint that does not exist in this scope (is it a per-test field"
          + " of another test class?). Declare it in this class or an enclosing one.");
    }
    return target; // owned by the target's scope
  }

  private NetworkNamespace managed(Netns netns, AutoCloseable owner, boolean created) {
    return new NetworkNamespace(netns, name, owner != null ? owner : netns, true, created);
  }

  /** The instance among {@code instances} that declares fields of {@code type}, or null. */
  static Object ownerOf(Class<?> type, List<Object> instances) {
    for (Object instance : instances) {
      if (type.isInstance(instance)) {
        return instance;
      }
    }
    return null;
  }

  /** The lab host as a handle for {@code @LabHost} parameters; created on first use, never closed by a test. */
  static NetworkNamespace labHost() {
    NetworkNamespace h = labHost;
    if (h == null) {
      synchronized (EndpointFactory.class) {
        h = labHost;
        if (h == null) {
          h = new NetworkNamespace(KernelFailures.translate(() -> Lab.get().netns()), "lab host", () -> { }, true, false);
          labHost = h;
        }
      }
    }
    return h;
  }
}
