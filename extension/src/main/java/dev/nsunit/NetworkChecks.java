package dev.nsunit;

import dev.nsunit.NetworkPlan.Endpoint;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/**
 * Checks a class's {@link Connect}s against its {@link Network}s before anything is built: every
 * network named exists, networks do not overlap each other or the class's bridges, fixed
 * addresses lie in their subnets and are taken once, and an alias names one endpoint per network.
 */
final class NetworkChecks {
  private static final IpPrefix DEFAULT_SUBNET = IpPrefix.parse(BridgeNetwork.DEFAULT_SUBNET);

  private NetworkChecks() {}

  /** The annotation as a message shows it: {@code @Network(name = "backend", subnet = "172.18.0.0/16")}. */
  static String text(Network n) {
    return "@Network(name = \"" + n.name() + "\"" + (n.subnet().isEmpty() ? "" : ", subnet = \"" + n.subnet() + "\"")
        + (n.gateway().isEmpty() ? "" : ", gateway = \"" + n.gateway() + "\"") + (n.internal() ? ", internal = true" : "")
        + ")";
  }

  static void check(Map<String, NetworkDefinition> networks, List<Endpoint> endpoints, List<Mode> testModes,
      List<Mode.Bridge> bridges) {
    checkOverlaps(networks, bridges);
    List<Mode.Connected> connected = new ArrayList<>();
    for (Endpoint e : endpoints) {
      if (e.mode() instanceof Mode.Connected c) {
        connected.add(c);
      }
    }
    List<Mode.Connected> tests = new ArrayList<>();
    for (Mode m : testModes) {
      if (m instanceof Mode.Connected c) {
        tests.add(c);
      }
    }
    Map<String, String> aliases = new HashMap<>(); // network + " " + alias -> where
    Map<InetAddress, String> addresses = new HashMap<>();
    for (Mode.Connected c : connected) {
      checkConnections(c, networks, aliases, addresses);
    }
    // a test's endpoint lives alongside every endpoint field, but never alongside another test's
    for (Mode.Connected c : tests) {
      checkConnections(c, networks, new HashMap<>(aliases), new HashMap<>(addresses));
    }
  }

  private static void checkConnections(Mode.Connected c, Map<String, NetworkDefinition> networks,
      Map<String, String> aliases, Map<InetAddress, String> addresses) {
    for (Mode.Connection conn : c.connections()) {
      String text = "@Connect(network = \"" + conn.network() + "\")";
      Optional<IpPrefix> subnet;
      Optional<InetAddress> gateway;
      if (conn.network().equals(LabNetwork.DEFAULT_BRIDGE)) {
        subnet = Optional.of(DEFAULT_SUBNET);
        gateway = Optional.of(DEFAULT_SUBNET.offset(1));
      } else {
        NetworkDefinition d = networks.get(conn.network());
        if (d == null) {
          throw new ExtensionConfigurationException(text + " on " + c.where() + " names no network; declared networks: "
              + new ArrayList<>(networks.keySet()) + " (and \"bridge\", Docker's default). Declare it with"
              + " @Network(name = \"" + conn.network() + "\") on the test class, or fix the name.");
        }
        subnet = Optional.ofNullable(d.subnet());
        gateway = Optional.ofNullable(d.gateway());
        if (conn.labHost().isEmpty() && d.driver() == NetworkDriver.OVERLAY) {
          throw new ExtensionConfigurationException(text + " on " + c.where() + " puts the endpoint on an overlay network"
              + " without saying where it lives; an overlay spans lab hosts (simulated Docker hosts), and each endpoint"
              + " runs on one of them. Add labHost, e.g. @Connect(network = \"" + conn.network() + "\", labHost ="
              + " \"node1\").");
        }
        if (conn.labHost().isPresent() && d.driver() != NetworkDriver.OVERLAY) {
          throw new ExtensionConfigurationException("@Connect(network = \"" + conn.network() + "\", labHost = \""
              + conn.labHost().get() + "\") on " + c.where() + " places the endpoint on another lab host, but "
              + conn.network() + " is a " + d.driver().dockerName() + " network, which lives on the JVM's own lab host"
              + " only. Drop labHost, or declare the network with driver = NetworkDriver.OVERLAY.");
        }
      }
      if (conn.labHost().isPresent() && conn.network().equals(LabNetwork.DEFAULT_BRIDGE)) {
        throw new ExtensionConfigurationException("@Connect(network = \"bridge\", labHost = \"" + conn.labHost().get()
            + "\") on " + c.where() + ": Docker's default network lives on the JVM's own lab host only. Drop labHost,"
            + " or use an overlay network.");
      }
      for (String alias : conn.aliases()) {
        String previous = aliases.putIfAbsent(conn.network() + " " + alias, c.where());
        if (previous != null) {
          throw new ExtensionConfigurationException(text + " on " + c.where() + " gives the alias \"" + alias
              + "\", which " + previous + " has on network " + conn.network() + " already; an alias names one"
              + " endpoint per network. Pick another alias.");
        }
      }
      if (conn.address().isPresent()) {
        InetAddress a = conn.address().get();
        String shown = "@Connect(network = \"" + conn.network() + "\", address = \"" + InetAddresses.format(a) + "\")";
        if (subnet.isEmpty()) {
          throw new ExtensionConfigurationException(shown + " on " + c.where() + " fixes an address on a network"
              + " whose subnet is chosen at run time; give @Network(name = \"" + conn.network() + "\") a subnet too.");
        }
        IpPrefix s = subnet.get();
        if (!s.contains(a) || a.equals(s.network()) || a.equals(s.broadcast()) || a.equals(gateway.get())) {
          InetAddress example = s.offset(1).equals(gateway.get()) ? s.offset(2) : s.offset(1);
          throw new ExtensionConfigurationException(shown + " on " + c.where() + " is not a host address of "
              + conn.network() + "'s subnet " + s + " other than its gateway " + InetAddresses.format(gateway.get())
              + "; pick one, e.g. " + InetAddresses.format(example) + ".");
        }
        String previous = addresses.putIfAbsent(a, c.where());
        if (previous != null) {
          throw new ExtensionConfigurationException(shown + " on " + c.where() + " is already taken by " + previous
              + "; two endpoints cannot hold one address. Give one of them another address, or leave address empty.");
        }
      }
    }
  }

  private static void checkOverlaps(Map<String, NetworkDefinition> networks, List<Mode.Bridge> bridges) {
    List<NetworkDefinition> dualStack = networks.values().stream().filter(d -> d.subnet6() != null).toList();
    for (int i = 0; i < dualStack.size(); i++) {
      for (int j = i + 1; j < dualStack.size(); j++) {
        NetworkDefinition a = dualStack.get(i);
        NetworkDefinition b = dualStack.get(j);
        if (a.subnet6().overlaps(b.subnet6())) {
          throw new ExtensionConfigurationException("networks " + a.name() + " and " + b.name() + " have overlapping"
              + " IPv6 subnets (" + a.subnet6() + ", " + b.subnet6() + "); two networks cannot share addresses. Give"
              + " each an IPv6 subnet of its own.");
        }
      }
    }
    List<NetworkDefinition> withSubnet = networks.values().stream().filter(d -> d.subnet() != null).toList();
    for (int i = 0; i < withSubnet.size(); i++) {
      NetworkDefinition a = withSubnet.get(i);
      if (a.subnet().overlaps(DEFAULT_SUBNET)) {
        throw new ExtensionConfigurationException("network " + a.name() + "'s subnet " + a.subnet() + " overlaps "
            + DEFAULT_SUBNET + ", Docker's default network \"bridge\"; Docker refuses overlapping networks too. Use"
            + " another subnet, e.g. 172.18.0.0/16.");
      }
      for (int j = i + 1; j < withSubnet.size(); j++) {
        NetworkDefinition b = withSubnet.get(j);
        if (a.subnet().overlaps(b.subnet())) {
          throw new ExtensionConfigurationException("networks " + a.name() + " (" + a.subnet() + ") and " + b.name()
              + " (" + b.subnet() + ") overlap; two networks cannot share addresses (Docker refuses overlapping"
              + " networks too). Give them subnets that do not overlap.");
        }
      }
      for (Mode.Bridge br : bridges) {
        if (a.subnet().overlaps(br.subnet())) {
          throw new ExtensionConfigurationException("network " + a.name() + " (" + a.subnet() + ") overlaps"
              + " @BridgeNetwork(subnet = \"" + br.subnet() + "\") on " + br.where() + "; each is a bridge of its own,"
              + " and two bridges cannot share addresses. Give them subnets that do not overlap.");
        }
      }
    }
  }
}
