package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.model.Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Issue 11, item 1: an address, and the MAC derived from it, is handed out again only once its
 * previous holder's port has left the bridge. Per-test endpoints are torn down lazily; before,
 * a fixed address was reused while the dying endpoint's port was still on the bridge, and the
 * bridge delivered to the ghost ({@code Connection refused}).
 */
class AddressReuseTests {
  /**
   * The reproduction used 1 s; a loaded machine can take longer than that to answer a
   * SYN. A ghost answers at once, with a reset ({@code Connection refused}), so a longer timeout
   * hides nothing.
   */
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;
  static final Set<InetAddress> DYNAMIC_ADDRESSES = ConcurrentHashMap.newKeySet();

  /**
   * The reproduction, with the client socket closed (an open one is a leak and fails its
   * test) and a connect timeout for a loaded machine.
   */
  @BridgeNetwork
  static class FixedAddressTestCase {
    @BridgeNetwork(address = "172.17.0.200") NetworkNamespace svc;

    @RepeatedTest(30)
    void t(NetworkNamespace ns) throws Exception {
      try (ServerSocket s = svc.call(() -> new ServerSocket(9000)); Socket c = new Socket()) {
        c.connect(new InetSocketAddress("172.17.0.200", 9000), CONNECT_TIMEOUT_MILLIS);
      }
    }
  }

  /**
   * The same with dynamic addresses in a /29: its five host addresses are all taken in every
   * repetition (the test's namespace, {@code svc} and three more), so each repetition's addresses
   * are the previous one's, handed out again as soon as (and only once) their old ports are gone.
   * Each repetition reaches a server in each of the four.
   */
  @BridgeNetwork(subnet = "10.77.0.0/29")
  static class DynamicAddressTestCase {
    @BridgeNetwork(subnet = "10.77.0.0/29") NetworkNamespace svc;
    @BridgeNetwork(subnet = "10.77.0.0/29") NetworkNamespace a;
    @BridgeNetwork(subnet = "10.77.0.0/29") NetworkNamespace b;
    @BridgeNetwork(subnet = "10.77.0.0/29") NetworkNamespace c;

    @RepeatedTest(30)
    void t(NetworkNamespace ns) throws Exception {
      for (NetworkNamespace endpoint : List.of(svc, a, b, c)) {
        InetAddress address = endpoint.addresses().stream()
            .filter(x -> x.interfaceName().equals("eth0") && x.isIpv4()).map(Address::address).findFirst().orElseThrow();
        DYNAMIC_ADDRESSES.add(address);
        try (ServerSocket s = endpoint.call(() -> new ServerSocket(9000)); Socket client = new Socket()) {
          client.connect(new InetSocketAddress(address, 9000), CONNECT_TIMEOUT_MILLIS);
        }
      }
    }
  }

  @Test
  void aFixedAddressComesBackOnlyOnceItsPreviousPortIsGoneInTenRunsInARow() {
    for (int run = 1; run <= 10; run++) {
      runAndCheck(FixedAddressTestCase.class, run);
    }
  }

  @Test
  void aDynamicAddressComesBackOnlyOnceItsPreviousPortIsGone() {
    for (int run = 1; run <= 3; run++) {
      runAndCheck(DynamicAddressTestCase.class, run);
    }
    // 450 endpoints over 5 addresses: every address was handed out again many times
    assertThat(DYNAMIC_ADDRESSES).hasSizeLessThanOrEqualTo(5);
  }

  private static void runAndCheck(Class<?> fixture, int run) {
    long start = System.nanoTime();
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().testEvents();
    List<String> failed = Failures.of(events);
    System.out.printf("%s run %d: 30 repetitions in %d ms, %d failed%n", fixture.getSimpleName(), run,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), failed.size());
    assertThat(failed).as("run %d", run).isEmpty();
    events.assertStatistics(s -> s.started(30).succeeded(30));
  }
}
