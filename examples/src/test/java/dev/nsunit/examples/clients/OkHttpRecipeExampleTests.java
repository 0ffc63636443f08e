package dev.nsunit.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import java.time.Duration;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recipe: OkHttp 5 under the thread-leak check, connecting from an endpoint through
 * {@code app.socketFactory()}.
 *
 * <p>OkHttp keeps JVM-wide threads ({@code OkHttp TaskRunner}, {@code Okio Watchdog}) that idle
 * for a minute and are started by whichever thread first needs them: started from a test's
 * namespace, they would keep it alive. So the test stays on JUnit's own thread (no mode on the
 * test method), and only the client's sockets go into the endpoint {@code app}, through the socket
 * factory: its requests leave from {@code app}'s {@code eth0}, while OkHttp's threads live outside
 * every test namespace. Closing means evicting the pool (an idle keep-alive connection is an open
 * socket in {@code app}) and shutting down the dispatcher.
 */
class OkHttpRecipeExampleTests {
  @BridgeNetwork
  static NetworkNamespace web;

  @BridgeNetwork
  NetworkNamespace app; // the client's "container", new for each test

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
  void requestsLeaveFromTheEndpoint() throws Exception {
    OkHttpClient client = new OkHttpClient.Builder()
        .socketFactory(app.socketFactory())
        .callTimeout(Duration.ofSeconds(10))
        .build();
    try {
      for (int i = 0; i < 2; i++) { // the second request reuses the pooled connection
        try (Response response = client.newCall(new Request.Builder().url(server.url()).build()).execute()) {
          assertThat(response.code()).isEqualTo(200);
          assertThat(response.body().string()).isEqualTo(app.ipv4Address().orElseThrow().getHostAddress());
        }
      }
      assertThat(client.connectionPool().connectionCount()).isEqualTo(1);
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    assertThat(client.connectionPool().connectionCount()).isZero();
  }
}
