package dev.nsunit;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Link;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * The lab networks one namespace is connected to, in interface order: what {@code docker
 * inspect} shows under {@code NetworkSettings.Networks}. One per namespace, whichever handles
 * refer to it; kept until the namespace is released.
 */
final class EndpointNetworks {
  private static final Map<Netns, EndpointNetworks> BY_NAMESPACE = new ConcurrentHashMap<>();

  /** One interface on one network. */
  record Joined(LabNetwork network, Lab.Attachment attachment, List<String> aliases) {
    NetworkAttachment view() {
      Lab.Bridge b = attachment.bridge();
      return new NetworkAttachment(network.name(), attachment.interfaceName(), attachment.address(),
          b.subnet().length(), b.gateway(), aliases);
    }
  }

  private final Netns netns;
  private final List<Joined> joined = new ArrayList<>();

  private EndpointNetworks(Netns netns) {
    this.netns = netns;
  }

  /** The networks of {@code netns}, created empty on first use. */
  static EndpointNetworks of(Netns netns) {
    return BY_NAMESPACE.computeIfAbsent(netns, EndpointNetworks::new);
  }

  /** The endpoint that has {@code alias} on {@code network}, by name, if any. */
  static Optional<String> holderOfAlias(LabNetwork network, String alias) {
    for (EndpointNetworks n : BY_NAMESPACE.values()) {
      synchronized (n) {
        for (Joined j : n.joined) {
          if (j.network().name().equals(network.name()) && j.aliases().contains(alias)) {
            return Optional.of(j.attachment().endpoint().toString());
          }
        }
      }
    }
    return Optional.empty();
  }

  /** What {@code netns} is connected to, in interface order; empty if nothing. */
  static List<NetworkAttachment> viewOf(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.get(netns);
    return n == null ? List.of() : n.view();
  }

  /**
   * Ends every attachment of {@code netns} (ports cut off, addresses returned once the ports are
   * gone), before the namespace itself is closed. Idempotent.
   */
  static void closeAll(Netns netns) {
    EndpointNetworks n = BY_NAMESPACE.remove(netns);
    if (n != null) {
      n.closeAttachments();
    }
  }

  synchronized List<NetworkAttachment> view() {
    return joined.stream().map(Joined::view).collect(Collectors.toList());
  }

  synchronized Optional<Joined> on(LabNetwork network) {
    return joined.stream().filter(j -> j.network().name().equals(network.name())).findFirst();
  }

  /** Records an attachment made elsewhere (an endpoint's {@code eth0}). */
  synchronized void add(Joined j) {
    joined.add(j);
  }

  /**
   * Connects the namespace to {@code network} as the next free {@code ethN}; the interface gets
   * the default route if the network is not internal and the namespace has no default route yet.
   */
  synchronized NetworkAttachment connect(Lab lab, LabNetwork network, String endpointName,
      InetAddress fixedAddress, List<String> aliases, int mtu) {
    String name = nextInterfaceName();
    boolean defaultRoute = !network.labBridge().isInternal() && !hasDefaultRoute();
    Lab.Attachment a = lab.connect(netns, false, endpointName, network.labBridge(), name, fixedAddress, mtu, defaultRoute);
    Joined j = new Joined(network, a, List.copyOf(aliases));
    joined.add(j);
    return j.view();
  }

  /**
   * Disconnects the namespace from {@code network} now: the interface and its routes go; if it
   * carried the default route, the first remaining interface on a network that is not internal
   * gets it.
   *
   * @return false if the namespace was not connected to it
   */
  synchronized boolean disconnect(LabNetwork network) {
    Optional<Joined> found = on(network);
    if (found.isEmpty()) {
      return false;
    }
    joined.remove(found.get());
    found.get().attachment().detach();
    if (!hasDefaultRoute()) {
      joined.stream().filter(j -> !j.attachment().bridge().isInternal()).findFirst()
          .ifPresent(j -> netns.rtnetlink().addRoute(RouteRequest.defaultVia(j.attachment().bridge().gateway())));
    }
    return true;
  }

  private synchronized void closeAttachments() {
    RuntimeException failure = null;
    for (Joined j : joined) {
      try {
        j.attachment().close();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    joined.clear();
    if (failure != null) {
      throw failure;
    }
  }

  private String nextInterfaceName() {
    Set<String> names = netns.rtnetlink().links().stream().map(Link::name).collect(Collectors.toSet());
    for (int i = 0; ; i++) {
      if (!names.contains("eth" + i)) {
        return "eth" + i;
      }
    }
  }

  private boolean hasDefaultRoute() {
    return netns.rtnetlink().routes().stream()
        .anyMatch(r -> r.isDefault() && r.destination().address() instanceof Inet4Address);
  }
}
