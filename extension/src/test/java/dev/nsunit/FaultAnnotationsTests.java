package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Faults declared on tests: each holds while the test runs (judged by traffic: ping's round
 * trips, a connect that times out, a link that carries nothing) and is healed when the test
 * ends, also for a class-level endpoint that outlives the test. Malformed declarations fail the
 * test before anything is built, naming the annotation.
 */
class FaultAnnotationsTests {

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class DeclaredTestCase {
    @BridgeNetwork static NetworkNamespace db;
    static ServerSocket dbServer;

    @Test
    @Order(1)
    @BridgeNetwork
    @Latency("50ms")
    void slowed(NetworkNamespace ns) throws Exception {
      double median = medianRtt(ns, db.ipv4Address().orElseThrow());
      assertThat(median).isBetween(40.0, 60.0);
    }

    @Test
    @Order(2)
    @BridgeNetwork
    void notSlowedAnyMore(NetworkNamespace ns) throws Exception {
      assertThat(medianRtt(ns, db.ipv4Address().orElseThrow())).isLessThan(5.0);
    }

    @Test
    @Order(3)
    @BridgeNetwork
    @Partition({"", "db"})
    void partitioned(NetworkNamespace ns) throws Exception {
      dbServer = db.serverSocketFactory().createServerSocket(5432);
      try (Socket s = ns.socketFactory().createSocket()) {
        Assertions.assertThatThrownBy(() -> s.connect(new InetSocketAddress(db.ipv4Address().orElseThrow(), 5432), 500))
            .isInstanceOf(SocketTimeoutException.class);
      }
    }

    @Test
    @Order(4)
    @LinkDown(endpoint = "db")
    void databaseOffline() {
      assertThat(db.link("eth0").orElseThrow().isUp()).isFalse();
    }

    @Test
    @Order(5)
    @BridgeNetwork
    void everythingHealed(NetworkNamespace ns) throws Exception {
      assertThat(db.link("eth0").orElseThrow().isUp()).isTrue();
      try (Socket s = ns.socketFactory().createSocket()) {
        s.connect(new InetSocketAddress(db.ipv4Address().orElseThrow(), 5432), 5_000);
      }
      dbServer.close();
    }
  }

  @Test
  void declaredFaultsHoldDuringTheirTestAndAreHealedAfterIt() {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(DeclaredTestCase.class))
        .execute();
    assertThat(results.allEvents().failed().stream().map(ConfigurationErrorTests::throwable)).isEmpty();
    assertThat(results.testEvents().succeeded().count()).isEqualTo(5);
  }

  static class BadLatencyTestCase {
    @Test
    @BridgeNetwork
    @Latency("fast")
    void m(NetworkNamespace ns) {}
  }

  static class UnknownEndpointTestCase {
    @BridgeNetwork static NetworkNamespace db;

    @Test
    @PacketLoss(percent = 10, endpoint = "cache")
    void m() {}
  }

  static class NoOwnNamespaceTestCase {
    @BridgeNetwork static NetworkNamespace db;

    @Test
    @RateLimit("10mbit")
    void m() {}
  }

  static class BytesRateTestCase {
    @Test
    @BridgeNetwork
    @RateLimit("10mbps")
    void m(NetworkNamespace ns) {}
  }

  @Test
  void malformedDeclarationsFailBeforeAnythingIsBuiltNamingTheAnnotation() {
    List<String> lab = ConfigurationErrorTests.labLinks();
    List<String> messages = new ArrayList<>();
    for (Class<?> c : List.of(BadLatencyTestCase.class, UnknownEndpointTestCase.class, NoOwnNamespaceTestCase.class,
        BytesRateTestCase.class)) {
      List<Throwable> failures = ConfigurationErrorTests.failures(c);
      assertThat(failures).hasSize(1).first().isInstanceOf(ExtensionConfigurationException.class);
      messages.add(failures.get(0).getMessage());
    }
    assertThat(messages).containsExactly(
        "@Latency(\"fast\") on test m(): \"fast\" is not a duration; write a whole number with us, ms or s, like"
            + " \"50ms\" or \"1s\".",
        "@PacketLoss(percent = 10.0) on test m() names endpoint \"cache\", which is no endpoint field of the class;"
            + " its endpoints are [db].",
        "@RateLimit(\"10mbit\") on test m() names no endpoint, and the test has no namespace of its own; name an"
            + " endpoint field (endpoint = \"db\"; one of [db]), or give the test a mode such as @BridgeNetwork.",
        "@RateLimit(\"10mbps\") on test m(): \"10mbps\" is not a rate; write it in tc's bit units, like \"10mbit\","
            + " \"512kbit\" or \"1gbit\" (k = 1000; bytes a second are not accepted).");
    ConfigurationErrorTests.assertNoNewLabLinks(lab);
  }

  static double medianRtt(NetworkNamespace ns, InetAddress to) throws Exception {
    Process p = ns.start(new ProcessBuilder("ping", "-n", "-c", "10", "-i", "0.05", "-W", "2", to.getHostAddress())
        .redirectErrorStream(true));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    List<Double> times = new ArrayList<>();
    Matcher m = Pattern.compile("time=([0-9.]+) ms").matcher(out);
    while (m.find()) {
      times.add(Double.parseDouble(m.group(1)));
    }
    times.sort(null);
    return times.get(times.size() / 2);
  }
}
