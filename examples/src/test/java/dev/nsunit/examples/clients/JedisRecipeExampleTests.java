package dev.nsunit.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisSocketFactory;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Recipe: Jedis against a real redis-server, under the thread-leak check, connecting through
 * {@code redis.socketFactory()}.
 *
 * <p>redis-server runs in the endpoint {@code redis}. Jedis takes a {@link JedisSocketFactory}:
 * one that connects a socket from {@code redis.socketFactory()} talks to 127.0.0.1:6379 inside
 * that namespace, like a sidecar in {@code docker run --network container:redis}, from JUnit's own
 * thread. Jedis starts no threads; {@code close()} closes its socket.
 */
class JedisRecipeExampleTests {
  @NoNetwork
  static NetworkNamespace redis;

  @BeforeAll
  static void startRedis() throws IOException {
    RedisServer.startIn(redis);
  }

  @Test
  void setsAndGetsAKeyInTheRedisOfTheEndpoint() {
    try (Jedis jedis = new Jedis(connectingFrom(redis, new InetSocketAddress("127.0.0.1", RedisServer.PORT)))) {
      assertThat(jedis.set("recipe", "jedis")).isEqualTo("OK");
      assertThat(jedis.get("recipe")).isEqualTo("jedis");
      assertThat(jedis.clientInfo()).contains("addr=127.0.0.1:");
    }
  }

  /** Sockets made in {@code ns} and connected to {@code target}, for Jedis. */
  static JedisSocketFactory connectingFrom(NetworkNamespace ns, InetSocketAddress target) {
    return () -> {
      try {
        Socket socket = ns.socketFactory().createSocket();
        try {
          socket.connect(target, 5_000);
          socket.setSoTimeout(5_000);
          return socket;
        } catch (IOException | RuntimeException e) {
          socket.close();
          throw e;
        }
      } catch (IOException e) {
        throw new JedisConnectionException("cannot connect to " + target + " from " + ns, e);
      }
    };
  }
}
