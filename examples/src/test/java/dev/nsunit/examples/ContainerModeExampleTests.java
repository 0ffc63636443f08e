package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.SharedNetworkWith;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code docker run --network container:redis}: a real redis-server runs in the endpoint
 * {@code redis}; a test that shares its network sees port 6379 listening, although it started
 * nothing, and talks to it on 127.0.0.1.
 */
class ContainerModeExampleTests {

  @NoNetwork
  static NetworkNamespace redis;

  @BeforeAll
  static void startRedis() throws Exception {
    redis.start(new ProcessBuilder("redis-server", "--port", "6379", "--bind", "0.0.0.0", "::",
        "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD));
    redis.awaitListening(6379, Duration.ofSeconds(10));
  }

  @Test
  @SharedNetworkWith("redis")
  void seesRedisListeningAlthoughItStartedNothing(NetworkNamespace ns) {
    assertThat(ns).sharesNetworkStackWith(redis);
    assertThat(ns).isListeningOn(6379);
    assertThat(ns).isListeningOn("0.0.0.0", 6379);
    assertThat(ns).isListeningOn("::", 6379);
  }

  @Test
  @SharedNetworkWith("redis")
  void pingsRedisOnLocalhost() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
      OutputStream out = s.getOutputStream();
      out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII)); // RESP: PING
      out.flush();
      InputStream in = s.getInputStream();
      byte[] reply = new byte[7];
      int n = in.readNBytes(reply, 0, reply.length);
      assertThat(new String(reply, 0, n, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n");
    }
  }

  @Test
  @NoNetwork
  void anotherContainerDoesNotSeeIt(NetworkNamespace ns) {
    assertThat(ns).doesNotShareNetworkStackWith(redis);
    assertThat(ns).isNotListeningOn(6379);
  }
}
