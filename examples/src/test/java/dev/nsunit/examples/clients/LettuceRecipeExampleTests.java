package dev.nsunit.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.SharedNetworkWith;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.netty.resolver.DefaultAddressResolverGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recipe: Lettuce (on Netty) against a real redis-server, under the thread-leak check.
 *
 * <p>Netty opens its channels on its own event-loop threads and takes no socket factory, so the
 * test runs inside the namespace ({@code @SharedNetworkWith("redis")}: 127.0.0.1:6379 is the
 * server) and creates the client's resources there: its event loops are then started from the
 * test's thread and live inside. Before the test ends, shut down the client, then its resources
 * (which waits for the event loops to end), then wait for Netty's JVM-wide
 * {@code globalEventExecutor} thread, which some of that shutdown starts and which ends after a
 * second without work.
 */
class LettuceRecipeExampleTests {
  @NoNetwork
  static NetworkNamespace redis;

  @BeforeAll
  static void startRedis() throws IOException {
    RedisServer.startIn(redis);
  }

  @Test
  @SharedNetworkWith("redis")
  void setsAndGetsAKeyInTheRedisOfTheEndpoint() throws Exception {
    ClientResources resources = ClientResources.builder()
        .ioThreadPoolSize(1)
        .computationThreadPoolSize(1)
        .addressResolverGroup(DefaultAddressResolverGroup.INSTANCE) // the JDK's resolver: no DNS socket of Netty's
        .build();
    RedisClient client = RedisClient.create(resources,
        RedisURI.builder().withHost("127.0.0.1").withPort(RedisServer.PORT).withTimeout(Duration.ofSeconds(10)).build());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      assertThat(connection.sync().set("recipe", "lettuce")).isEqualTo("OK");
      assertThat(connection.sync().get("recipe")).isEqualTo("lettuce");
    } finally {
      client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
      resources.shutdown(0, 5, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
      GlobalEventExecutor.INSTANCE.awaitInactivity(10, TimeUnit.SECONDS);
    }
  }
}
