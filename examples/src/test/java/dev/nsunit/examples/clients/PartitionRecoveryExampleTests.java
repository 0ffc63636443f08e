package dev.nsunit.examples.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.Fault;
import dev.nsunit.Faults;
import dev.nsunit.NetworkNamespace;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client through a partition and out again: the JDK's {@link HttpClient} gets answers, then
 * times out while its endpoint is partitioned from the server (packets dropped, as behind a dead
 * link), then gets answers again once the partition heals, with the same client and no restart.
 * What a retry policy or a circuit breaker has to handle, in one test.
 */
class PartitionRecoveryExampleTests {
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
  void theClientRecoversWhenThePartitionHeals(NetworkNamespace ns) throws Exception {
    HttpClient client = HttpClient.newBuilder().executor(ns.executor()).connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.url())).timeout(Duration.ofSeconds(1)).build();
    try {
      assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);

      try (Fault cut = Faults.partition(ns, web, Faults.Blocking.DROP)) {
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
            .isInstanceOf(HttpTimeoutException.class); // no answer, no error: the packets vanish
      }

      HttpResponse<String> after = client.send(request, HttpResponse.BodyHandlers.ofString());
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.body()).isEqualTo(ns.ipv4Address().orElseThrow().getHostAddress());
    } finally {
      JdkHttpClientRecipeExampleTests.close(client);
    }
  }

  @Test
  @BridgeNetwork
  void aRejectingPartitionFailsAtOnceAndHealsTheSameWay(NetworkNamespace ns) throws Exception {
    HttpClient client = HttpClient.newBuilder().executor(ns.executor()).connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(server.url())).timeout(Duration.ofSeconds(5)).build();
    try {
      try (Fault cut = Faults.partition(ns, web, Faults.Blocking.REJECT)) {
        assertThatThrownBy(() -> client.send(request, HttpResponse.BodyHandlers.ofString()))
            .hasRootCauseInstanceOf(NoRouteToHostException.class); // EHOSTUNREACH, at once
      }
      assertThat(client.send(request, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    } finally {
      JdkHttpClientRecipeExampleTests.close(client);
    }
  }
}
