package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Shell;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Issue 15, item 1: endpoints keep their gateway while other endpoints come and go. A bridge
 * without a MAC of its own takes the lowest MAC among its ports, which changes as ports join
 * and leave; endpoints then send to a gateway MAC that no longer exists until their neighbour
 * entry expires. Every lab bridge gets a fixed MAC, as docker0 has.
 */
class GatewayMacTests {
  static final InetAddress GATEWAY = InetAddresses.parse("172.17.0.1");
  /** Every lab device's MAC as {@code ip -j link} showed it in each repetition, by name. */
  static final Map<String, Set<String>> MACS_SEEN = new ConcurrentHashMap<>();
  static final List<String> GATEWAY_MACS = new CopyOnWriteArrayList<>();
  /**
   * The issue used 1 s; a loaded machine can take longer than that to answer a SYN. A client that
   * sends to a gateway MAC that no longer exists keeps doing so for longer than this (its
   * neighbour entry stays valid for 15 to 45 s), so a longer timeout hides nothing.
   */
  static final int CONNECT_TIMEOUT_MILLIS = 5_000;

  /**
   * The reproduction: a static endpoint talks to a server the lab host runs on the gateway, in
   * each of 12 repetitions, while each repetition brings endpoints of its own (its test
   * namespace and {@code churn}) that join and leave the bridge.
   */
  @BridgeNetwork
  static class StaticClientTestCase {
    @BridgeNetwork static NetworkNamespace client;
    @BridgeNetwork NetworkNamespace churn;

    @RepeatedTest(12)
    void reachesTheLabHostThroughTheGateway(NetworkNamespace ns, @LabHost NetworkNamespace lab) throws Exception {
      recordMacs(lab);
      try (ServerSocket server = lab.call(() -> new ServerSocket(0, 50, GATEWAY))) {
        int port = server.getLocalPort();
        client.run(() -> {
          try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(GATEWAY, port), CONNECT_TIMEOUT_MILLIS);
          }
        });
      }
    }
  }

  /**
   * Reads every lab link's MAC with iproute2, and the MAC of the bridge that holds the gateway.
   * iproute2 runs from a thread of the lab host: the JDK's "process reaper" thread, made on the
   * first process start, is born in the namespace of the thread that starts it and would keep a
   * test's namespace alive.
   */
  static void recordMacs(NetworkNamespace lab) throws Exception {
    lab.call(() -> {
      readMacs(lab.path().toString());
      return null;
    });
  }

  private static void readMacs(String path) {
    for (JsonNode link : Ip.json(path, "link", "show")) {
      if (link.has("address")) {
        MACS_SEEN.computeIfAbsent(link.get("ifname").asText(), k -> new ConcurrentHashMap<String, Boolean>().keySet(true))
            .add(link.get("address").asText());
      }
    }
    String bridge = null;
    for (JsonNode link : Ip.json(path, "addr", "show")) {
      for (JsonNode a : link.get("addr_info")) {
        if (a.get("local").asText().equals("172.17.0.1")) {
          bridge = link.get("ifname").asText();
        }
      }
    }
    GATEWAY_MACS.add(Ip.json(path, "link", "show", "dev", bridge).get(0).get("address").asText());
  }

  @Test
  void theGatewayKeepsOneFixedMacWhileEndpointsComeAndGo() {
    Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(StaticClientTestCase.class))
        .execute().testEvents();
    assertThat(Failures.of(events)).isEmpty();
    events.assertStatistics(s -> s.started(12).succeeded(12));
    // docker0's kind of address: 02:42 followed by the gateway's IPv4 address, the same in every repetition
    assertThat(GATEWAY_MACS).hasSize(12).containsOnly("02:42:ac:11:00:01");
    // no lab device changed its MAC while it existed (veths come and go, each keeps the one it was made with)
    Map<String, Set<String>> changed = new TreeMap<>();
    MACS_SEEN.forEach((name, macs) -> {
      if (macs.size() > 1) {
        changed.put(name, new TreeSet<>(macs));
      }
    });
    assertThat(changed).as("lab devices whose MAC changed between repetitions").isEmpty();
  }
}
