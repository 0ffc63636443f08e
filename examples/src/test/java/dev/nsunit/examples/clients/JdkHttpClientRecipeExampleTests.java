package dev.nsunit.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recipe: the JDK's {@link HttpClient} (Java 11+) inside a test's namespace, on Java 17 and on
 * 21+, under the thread-leak check.
 *
 * <p>The client cannot take a socket factory, so the test runs inside ({@code @BridgeNetwork} on
 * the test) and builds the client there: {@code send()} opens its connections on the calling
 * thread. Two rules make it leave nothing behind:
 * <ul>
 *   <li>Give it {@code ns.executor()}: its worker threads are then nsunit's, stopped with the
 *       namespace (the default executor's threads idle for a minute).
 *   <li>Close it before the test ends: its selector thread ({@code HttpClient-N-SelectorManager})
 *       holds the connection pool. On 21+ {@code close()} ends it; on 17 there is no
 *       {@code close()}, and the selector thread ends, closing the client's connections, when it
 *       is interrupted. {@link #close(HttpClient)} does either, by a runtime check.
 * </ul>
 */
class JdkHttpClientRecipeExampleTests {
  @BridgeNetwork
  static NetworkNamespace web;

  static WhoAmIServer server;

  @BeforeAll
  static void startTheServer() throws Exception {
    server = WhoAmIServer.startIn(web);
  }

  @AfterAll
  static void stopTheServer() {
    server.close();
  }

  @Test
  @BridgeNetwork
  void getsAnAnswerFromTheServerInAnotherEndpoint(NetworkNamespace ns) throws Exception {
    HttpClient client = HttpClient.newBuilder()
        .executor(ns.executor())
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    try {
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(URI.create(server.url())).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo(ns.ipv4Address().orElseThrow().getHostAddress()); // from ns's eth0
    } finally {
      close(client);
    }
  }

  /**
   * Closes {@code client} and waits for its selector thread to end: {@code close()} on Java 21+;
   * on 17, where {@code HttpClient} is not {@link AutoCloseable}, an interrupt of that thread,
   * which then closes the client's connections and ends.
   */
  static void close(HttpClient client) throws Exception {
    Optional<Thread> selector = selectorThreadOf(client);
    if (client instanceof AutoCloseable closeable) {
      closeable.close(); // Java 21+
    } else {
      selector.ifPresent(Thread::interrupt); // Java 17
    }
    if (selector.isPresent()) {
      selector.get().join(Duration.ofSeconds(10).toMillis());
      assertThat(selector.get().isAlive()).as("%s ended", selector.get().getName()).isFalse();
    }
  }

  /** The client's selector thread, {@code HttpClient-<id>-SelectorManager}; its toString ends in "(id)". */
  private static Optional<Thread> selectorThreadOf(HttpClient client) {
    Matcher id = Pattern.compile("\\((\\d+)\\)$").matcher(client.toString());
    if (!id.find()) {
      return Optional.empty();
    }
    String name = "HttpClient-" + id.group(1) + "-SelectorManager";
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(name)).findFirst();
  }
}
