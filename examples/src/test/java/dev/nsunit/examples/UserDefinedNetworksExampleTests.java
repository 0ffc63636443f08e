package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.Connect;
import dev.nsunit.Network;
import dev.nsunit.NetworkNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Docker's user-defined networks, as in
 * {@code docker network create frontend; docker network create --internal backend}: a real
 * {@code redis-server} as {@code db} on {@code backend} only, an {@code api} endpoint on both
 * networks, and each test as a {@code web} container on {@code frontend}.
 *
 * <pre>
 * frontend 172.18.0.0/16          backend 172.19.0.0/16 (internal)
 *   web (the test)  eth0            db (redis-server)  eth0
 *   api             eth0 ---------- api                eth1
 * </pre>
 *
 * <p>The api reaches the db; the web reaches the api but not the db, whose network it is not on:
 * nothing is routed between networks, exactly as Docker isolates them.
 */
@Network(name = "frontend", subnet = "172.18.0.0/16")
@Network(name = "backend", subnet = "172.19.0.0/16", internal = true)
class UserDefinedNetworksExampleTests {
  @Connect(network = "backend", aliases = "cache")
  static NetworkNamespace db;

  @Connect(network = "frontend")
  @Connect(network = "backend")
  static NetworkNamespace api;

  @BeforeAll
  static void startRedis() throws IOException {
    db.start(new ProcessBuilder("redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no",
        "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
    db.awaitListening(6379, Duration.ofSeconds(20));
  }

  @Test
  void theApiIsOnBothNetworks() {
    assertThat(api).hasInterface("eth0").withAddressIn("172.18.0.0/16").isUp();
    assertThat(api).hasInterface("eth1").withAddressIn("172.19.0.0/16").isUp();
    assertThat(api).hasDefaultRoute().via("172.18.0.1"); // the first network's gateway
    assertThat(db).hasNoDefaultRoute();                  // backend is internal
  }

  @Test
  void theApiTalksToRedisOnTheBackend() throws Exception {
    InetAddress redis = db.ipv4Address("backend").orElseThrow();
    assertThat(api.call(() -> ping(redis))).isEqualTo("+PONG");
  }

  @Test
  @Connect(network = "frontend")
  void theWebReachesTheApiButNotTheDatabase(NetworkNamespace web) {
    assertThat(web).canReach(api.ipv4Address("frontend").orElseThrow().getHostAddress());
    assertThat(web).cannotReach(db.ipv4Address("backend").orElseThrow().getHostAddress());
  }

  /** Sends redis's PING on a fresh connection and returns the reply line. */
  private static String ping(InetAddress redis) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(redis, 6379), 5_000);
      s.setSoTimeout(5_000);
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
  }
}
