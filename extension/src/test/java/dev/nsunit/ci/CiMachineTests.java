package dev.nsunit.ci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.nsunit.HostNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.Address;
import dev.nsunit.model.Link;
import dev.nsunit.model.Route;
import dev.nsunit.model.Socket;
import dev.nsunit.testing.Rootless;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What a CI job checks about the machine it runs on, before its real tests: loopback works, the
 * machine has a live interface and a default route through it, and the services the job started
 * are listening. {@code @HostNetwork} gives the JVM's own namespace, read-only; nothing here needs
 * privileges or changes the host.
 *
 * <p>It asserts structure, not addresses, so it passes on any networked Linux machine. Run it as a
 * job step, as any user, without the rootless launcher (which would show the launcher's empty
 * namespace instead of the machine's):
 *
 * <pre>
 * mvn -B test -pl extension -am -Dtest='dev.nsunit.ci.*Tests' -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dnsunit.ci.listening=5432,6379     # the ports the job's services must be listening on
 * </pre>
 *
 * <p>The main session ports these checks to nsunit's fluent assertions once they land.
 */
@HostNetwork
class CiMachineTests {
  /** Comma-separated TCP ports the machine must be listening on, e.g. the job's service containers. */
  static final String LISTENING = "nsunit.ci.listening";

  /** Stands in for a service the job starts before its tests (a database, a local registry). */
  private static ServerSocket service;

  @BeforeAll
  static void startTheJobsService() throws IOException {
    assumeFalse(Rootless.active(), "under ci/nsunit-rootless the JVM's namespace is the launcher's fresh one,"
        + " not the machine's: run this suite without the launcher (it needs no privileges)");
    service = new ServerSocket();
    service.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
  }

  @AfterAll
  static void stopTheJobsService() throws IOException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void loopbackIsUpWithItsAddressAndCarriesTraffic(NetworkNamespace host) throws IOException {
    assertThat(host.isHost()).isTrue();
    Link lo = host.link("lo").orElseThrow(() -> new AssertionError("no lo in\n" + host.snapshot().ipAddr()));
    assertThat(lo.isLoopback()).as("lo is a loopback device").isTrue();
    assertThat(lo.isUp()).as("lo is up").isTrue();
    assertThat(host.addresses()).filteredOn(a -> a.interfaceName().equals("lo"))
        .extracting(a -> a.prefix().toString()).contains("127.0.0.1/8");

    try (java.net.Socket client = new java.net.Socket()) {
      client.connect(service.getLocalSocketAddress());
      assertThat(client.isConnected()).isTrue();
    }
  }

  @Test
  void hasALiveInterfaceBesidesLoopbackWithAGlobalAddress(NetworkNamespace host) {
    List<String> live = host.links().stream().filter(l -> !l.isLoopback() && l.isUp()).map(Link::name)
        .collect(Collectors.toList());
    assertThat(host.addresses())
        .as("a global address on an interface that is up; the machine has:%n%s", host.snapshot().ipAddr())
        .anyMatch(a -> live.contains(a.interfaceName()) && a.scope() == 0 && !a.isTentative());
  }

  @Test
  void hasADefaultRouteThroughAnInterfaceThatIsUp(NetworkNamespace host) {
    List<Route> defaults = host.routes().stream().filter(r -> r.isDefault() && r.table() == 254 && r.type() == 1)
        .collect(Collectors.toList());
    assertThat(defaults).as("a default route; the machine's routes are:%n%s", host.snapshot().ipRoute()).isNotEmpty();

    Route route = defaults.get(0);
    Optional<Link> dev = host.links().stream().filter(l -> l.index() == route.oif()).findFirst();
    assertThat(dev).as("the device of %s", route).hasValueSatisfying(l -> {
      assertThat(l.isUp()).as("%s is up", l.name()).isTrue();
      assertThat(l.isLoopback()).as("%s is not loopback", l.name()).isFalse();
      assertThat(l.mtu()).as("%s's MTU", l.name()).isGreaterThanOrEqualTo(route.ipv6() ? 1280 : 576);
    });
    List<Address> onDev = host.addresses().stream()
        .filter(a -> a.index() == route.oif() && a.isIpv6() == route.ipv6()).collect(Collectors.toList());
    assertThat(onDev).as("an address of the default route's family on %s", route.dev()).isNotEmpty();
  }

  @Test
  void theJobsServicesAreListening(NetworkNamespace host) {
    List<Integer> expected = new ArrayList<>();
    expected.add(service.getLocalPort());
    Arrays.stream(System.getProperty(LISTENING, "").split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(Integer::valueOf).forEach(expected::add);

    List<Integer> listening = host.sockets().stream().filter(Socket::isListening).map(Socket::localPort)
        .distinct().collect(Collectors.toList());
    assertThat(listening).as("TCP listeners on this machine:%n%s", host.snapshot().ss()).containsAll(expected);
  }
}
