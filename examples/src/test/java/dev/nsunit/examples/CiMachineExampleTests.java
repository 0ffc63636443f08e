package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.nsunit.HostNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.Link;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.testing.Rootless;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;
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
 * mvn -B verify -pl examples -am -Dtest=CiMachineExampleTests -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dnsunit.ci.listening=5432,6379     # the ports the job's services must be listening on
 * </pre>
 */
@HostNetwork
class CiMachineExampleTests {
  /** Comma-separated TCP ports the machine must be listening on, e.g. the job's service containers. */
  static final String LISTENING = "nsunit.ci.listening";

  /** Stands in for a service the job starts before its tests (a database, a local registry). */
  private static ServerSocket service;

  @BeforeAll
  static void startTheJobsService() throws IOException {
    assumeFalse(Rootless.active(), "under ci/nsunit-rootless the JVM's namespace is the launcher's"
        + " fresh one, not the machine's: run this suite without the launcher (it needs no privileges)");
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
  void loopbackIsUpWithItsAddressAndCarriesTraffic(NetworkNamespace host) {
    assertThat(host).isHostNamespace()
        .hasInterface("lo").isUp().isLoopback().hasAddress("127.0.0.1/8");
    assertThat(host).canReach("127.0.0.1", service.getLocalPort());
  }

  @Test
  void hasALiveInterfaceBesidesLoopbackWithAGlobalAddress(NetworkNamespace host) {
    NetworkSnapshot machine = host.snapshot();
    List<String> live = machine.links().stream().filter(l -> !l.isLoopback() && l.isUp()).map(Link::name)
        .collect(Collectors.toList());
    assertThat(machine.addresses())
        .as("a global address on an interface that is up; the machine has:%n%s", machine.ipAddr())
        .anyMatch(a -> live.contains(a.interfaceName()) && a.scope() == 0 && !a.isTentative());
  }

  @Test
  void hasADefaultRouteThroughAnInterfaceThatIsUp(NetworkNamespace host) {
    assertThat(host).hasDefaultRoute();
    NetworkSnapshot machine = host.snapshot();
    String device = machine.routes().stream().filter(r -> r.isDefault() && !r.ipv6())
        .flatMap(r -> r.dev().stream()).findFirst().orElseThrow();
    assertThat(host).hasInterface(device).isUp();
    Link dev = machine.link(device).orElseThrow();
    assertThat(dev.isLoopback()).as("%s is not loopback", dev.name()).isFalse();
    assertThat(dev.mtu()).as("%s's MTU", dev.name()).isGreaterThanOrEqualTo(576);
    assertThat(machine.addressesOf(device)).as("an IPv4 address on %s", device).anyMatch(a -> a.isIpv4());
  }

  @Test
  void theJobsServicesAreListening(NetworkNamespace host) {
    assertThat(host).isListeningOn(service.getLocalPort());
    for (Integer port : Arrays.stream(System.getProperty(LISTENING, "").split(",")).map(String::trim)
        .filter(s -> !s.isEmpty()).map(Integer::valueOf).collect(Collectors.toList())) {
      assertThat(host).isListeningOn(port);
    }
  }
}
