package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.NamespacePool;
import dev.nsunit.internal.probe.Reachability;
import dev.nsunit.model.Link;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.Ip;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * The namespace pool (README, "Speed"): switched on for this class only (the module's other tests
 * count descriptors and run with it off). Every pooled namespace a test gets must be as fresh as
 * one made for it, checked against {@code ip -j}; the pool must be used, safe in parallel, and
 * leave nothing once idle.
 */
class NamespacePoolTests {
  static final int SIZE = 4;

  @BeforeAll
  static void switchThePoolOn() {
    NamespacePool.shared().resize(SIZE);
  }

  @AfterAll
  static void switchItOff() {
    NamespacePool.shared().resize(0);
  }

  @BeforeEach
  void clear() {
    SEEN.clear();
  }

  static final Map<Long, String> SEEN = new ConcurrentHashMap<>();

  static Events run(Class<?> fixture, Map<String, String> config) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).configurationParameters(config)
        .execute().testEvents();
  }

  @NoNetwork
  static class NoNetworkTestCase {
    @RepeatedTest(12)
    void fresh(NetworkNamespace ns) throws Exception {
      // what ip sees, not what nsunit reports: only lo, up, 127.0.0.1 and ::1, no socket
      JsonNode links = Ip.json(ns.path().toString(), "-j", "addr", "show");
      assertThat(links).hasSize(1);
      assertThat(links.get(0).get("ifname").asText()).isEqualTo("lo");
      assertThat(links.get(0).get("flags").toString()).contains("\"UP\"");
      assertThat(links.get(0).get("addr_info")).hasSize(2);
      assertThat(ns.sockets()).isEmpty();
      // made from the nursery: tables of its own, not the machine's 262,144 buckets
      assertThat(read("/proc/sys/net/ipv4/tcp_ehash_entries")).isEqualTo("256");
      assertThat(read("/proc/sys/net/ipv4/udp_hash_entries")).isEqualTo("128");
      assertThat(SEEN.put(ns.id().cookie(), "taken")).isNull();
    }
  }

  /** Read with a stream: {@code Files.readString} reads some /proc/sys files short. */
  static String read(String file) throws Exception {
    try (InputStream in = Files.newInputStream(Path.of(file))) {
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
  }

  @Test
  void blankNamespacesFromThePoolAreFreshAndEachTestGetsItsOwn() {
    long[] before = NamespacePool.shared().stats();
    run(NoNetworkTestCase.class, Map.of()).assertStatistics(s -> s.started(12).succeeded(12));
    long[] after = NamespacePool.shared().stats();
    assertThat(SEEN).hasSize(12);
    assertThat(after[0] - before[0]).as("takes that found a namespace ready").isPositive();
  }

  @Test
  void testsInParallelEachGetTheirOwn() {
    run(NoNetworkTestCase.class, Map.of("junit.jupiter.execution.parallel.enabled", "true",
        "junit.jupiter.execution.parallel.mode.default", "concurrent",
        "junit.jupiter.execution.parallel.config.strategy", "fixed",
        "junit.jupiter.execution.parallel.config.fixed.parallelism", "4"))
        .assertStatistics(s -> s.started(12).succeeded(12));
    assertThat(SEEN).hasSize(12);
  }

  static final List<String> ADDRESSES = new ArrayList<>();

  @BridgeNetwork
  static class BridgeTestCase {
    @RepeatedTest(6)
    void plumbedAndConfiguredWhenTaken(NetworkNamespace ns) throws Exception {
      String path = ns.path().toString();
      JsonNode eth0 = Ip.json(path, "-j", "addr", "show", "dev", "eth0").get(0);
      assertThat(eth0.get("flags").toString()).contains("\"UP\"");
      assertThat(eth0.get("mtu").asInt()).isEqualTo(1500);
      String address = eth0.get("addr_info").get(0).get("local").asText();
      assertThat(eth0.get("addr_info").get(0).get("prefixlen").asInt()).isEqualTo(16);
      // Docker's MAC: 02:42 and the IPv4 address
      byte[] octets = InetAddress.getByName(address).getAddress();
      assertThat(eth0.get("address").asText()).isEqualTo(String.format("02:42:%02x:%02x:%02x:%02x",
          octets[0] & 0xff, octets[1] & 0xff, octets[2] & 0xff, octets[3] & 0xff));
      JsonNode route = Ip.json(path, "-j", "route", "show", "default").get(0);
      assertThat(route.get("gateway").asText()).isEqualTo("172.17.0.1");
      assertThat(ns.sockets()).isEmpty();
      assertThat(Reachability.icmpEcho(InetAddress.getByName("172.17.0.1"), Duration.ofSeconds(2)).isReached()).isTrue();
      synchronized (ADDRESSES) {
        ADDRESSES.add(address);
      }
    }
  }

  @Test
  void bridgeEndpointsFromThePoolGetAddressMacAndRoutesWhenTakenInDockersOrder() {
    ADDRESSES.clear();
    long[] before = NamespacePool.shared().stats();
    run(BridgeTestCase.class, Map.of()).assertStatistics(s -> s.started(6).succeeded(6));
    long[] after = NamespacePool.shared().stats();
    assertThat(after[0] - before[0]).as("takes that found a namespace ready").isPositive();
    // next-fit, as Docker hands them out: each address once, in increasing order
    List<Long> last = ADDRESSES.stream().map(NamespacePoolTests::asNumber).toList();
    assertThat(last).isSorted().doesNotHaveDuplicates();
    assertThat(ADDRESSES).allMatch(a -> a.startsWith("172.17."));
  }

  static long asNumber(String ipv4) {
    try {
      byte[] b = InetAddress.getByName(ipv4).getAddress();
      return ((b[0] & 0xffL) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(ipv4, e);
    }
  }

  @Test
  void anIdlePoolClosesEverythingItHolds() {
    run(NoNetworkTestCase.class, Map.of()).assertStatistics(s -> s.succeeded(12));
    run(BridgeTestCase.class, Map.of()).assertStatistics(s -> s.succeeded(6));
    // the end of each run closed the pool; the maker's refills after it are closed a second after
    Await.until("the pool holds nothing", Duration.ofSeconds(5), () -> NamespacePool.shared().held() == 0,
        () -> NamespacePool.shared().held() + " held");
    Await.until("no pooled port is left on the lab's bridges", Duration.ofSeconds(10), () -> labPorts().isEmpty(),
        NamespacePoolTests::labPorts);
    Set<Long> held = Set.copyOf(NamespacePool.shared().heldInodes());
    assertThat(held).isEmpty();
  }

  static List<String> labPorts() {
    return Lab.get().netns().rtnetlink().links().stream().filter(l -> l.kind().filter("veth"::equals).isPresent())
        .map(Link::name).filter(n -> n.startsWith("nsuv")).toList();
  }

  @NoNetwork
  static class AnyTestCase {
    @Test
    void t(NetworkNamespace ns) {}
  }

  @Test
  void aBadSizeFailsBeforeAnythingIsBuiltNamingTheSettingAndTheRange() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(AnyTestCase.class))
        .configurationParameter(NsunitProperties.POOL_SIZE, "lots").execute().containerEvents();
    Throwable failure = events.failed().stream().findFirst().orElseThrow().getRequiredPayload(
        TestExecutionResult.class).getThrowable().orElseThrow();
    assertThat(failure).isInstanceOf(ExtensionConfigurationException.class).hasMessage(
        "configuration parameter nsunit.pool.size is \"lots\", but the namespace pool size must be a whole number"
            + " from 0 (no pool) to 64; the default is 8. Fix it where it is set (junit-platform.properties,"
            + " Surefire's configurationParameters or -Dnsunit.pool.size).");
    assertThat(NamespacePool.shared().size()).isEqualTo(SIZE);
  }
}
