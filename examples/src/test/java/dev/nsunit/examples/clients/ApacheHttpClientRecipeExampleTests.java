package dev.nsunit.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionManager;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;
import org.apache.hc.core5.io.CloseMode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Recipe: Apache HttpClient 5 (classic) under the thread-leak check, connecting from an endpoint
 * through {@code app.socketFactory()}.
 *
 * <p>The classic client starts no threads of its own; its pooled connections are sockets, which
 * keep the namespace they were made in alive until closed. The connection manager takes the
 * socket factory through its connection operator, so the client can be used from any thread
 * (here JUnit's own: no mode on the test method) while its connections leave from {@code app}.
 * {@code close(CloseMode.GRACEFUL)} closes the pool.
 */
class ApacheHttpClientRecipeExampleTests {
  @BridgeNetwork
  static NetworkNamespace web;

  @BridgeNetwork
  NetworkNamespace app;

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
    CloseableHttpClient client = HttpClients.custom().setConnectionManager(connectionsFrom(app)).build();
    try {
      for (int i = 0; i < 2; i++) {
        String body = client.execute(new HttpGet(server.url()), response -> {
          assertThat(response.getCode()).isEqualTo(200);
          return EntityUtils.toString(response.getEntity());
        });
        assertThat(body).isEqualTo(app.ipv4Address().orElseThrow().getHostAddress());
      }
    } finally {
      client.close(CloseMode.GRACEFUL);
    }
  }

  /** A pooling connection manager whose sockets are made in {@code ns}. */
  static HttpClientConnectionManager connectionsFrom(NetworkNamespace ns) {
    return new PoolingHttpClientConnectionManagerBuilder() {
      @Override
      protected HttpClientConnectionOperator createConnectionOperator(SchemePortResolver ports, DnsResolver dns,
          TlsSocketStrategy tls) {
        return new DefaultHttpClientConnectionOperator(proxy -> ns.socketFactory().createSocket(), ports, dns,
            RegistryBuilder.<TlsSocketStrategy>create().register(URIScheme.HTTPS.id, tls).build());
      }
    }.build();
  }
}
