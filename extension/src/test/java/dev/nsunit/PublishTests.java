package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.testing.Shell;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Published ports ({@code docker run -p}): a client in the JVM's own namespace reaches a server
 * inside an endpoint through the JVM's loopback, the server sees the gateway as its client, the
 * listener is what {@code ss} shows on the host and is gone when the scope ends, and every
 * misuse fails before anything is built.
 */
class PublishTests {
  static final Map<String, Object> SEEN = new ConcurrentHashMap<>();

  /**
   * Each task on a thread of its own: the common pool has one thread on a 2-core machine, where a
   * server and a client queued on it would wait for each other.
   */
  static final Executor OWN_THREAD = task -> {
    Thread t = new Thread(task, "publish-test");
    t.setDaemon(true);
    t.start();
  };

  /** Serves one connection in {@code ns} on {@code port}: replies with the client's address, then echoes. */
  static CompletableFuture<Void> serveOnce(ServerSocket server) {
    return CompletableFuture.runAsync(() -> {
      try (Socket s = server.accept()) {
        OutputStream out = s.getOutputStream();
        out.write((InetAddresses.format(s.getInetAddress()) + "\n").getBytes(StandardCharsets.US_ASCII));
        s.getInputStream().transferTo(out);
        s.shutdownOutput();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, OWN_THREAD);
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      b.append((char) c);
    }
    return b.toString();
  }

  static String listenersOnHost(int port) {
    return Shell.run("ss", "-Htlnp", "sport = :" + port);
  }

  @Test
  void aClientOnTheHostReachesTheEndpointAndTheServerSeesTheGateway() throws Exception {
    LabNetwork net = LabNetwork.create("publish-net", "10.92.0.0/24");
    try (NetworkNamespace web = NetworkNamespace.create("web")) {
      net.connect(web);
      PublishedPort published = web.publish(80);
      assertThat(published.port()).isEqualTo(80);
      assertThat(published.hostAddress().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
      assertThat(published.toString()).isEqualTo("127.0.0.1:" + published.hostAddress().getPort() + "->80/tcp");
      assertThat(web.published(80)).isEqualTo(published.hostAddress());
      assertThat(web.publishedPorts()).containsExactly(published);
      assertThat(listenersOnHost(published.hostAddress().getPort()))
          .contains("127.0.0.1:" + published.hostAddress().getPort())
          .contains("pid=" + ProcessHandle.current().pid() + ",");

      byte[] payload = new byte[1 << 20];
      new Random(7).nextBytes(payload);
      try (ServerSocket server = web.serverSocketFactory().createServerSocket(80)) {
        CompletableFuture<Void> served = serveOnce(server);
        try (Socket client = new Socket()) {
          client.connect(published.hostAddress(), 5_000);
          client.setSoTimeout(10_000);
          CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> {
            try {
              client.getOutputStream().write(payload);
              client.shutdownOutput(); // the relay carries the half-close to the server
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          }, OWN_THREAD);
          InputStream in = client.getInputStream();
          assertThat(readLine(in)).as("the server's view of its client: the gateway, as behind docker-proxy")
              .isEqualTo("10.92.0.1");
          assertThat(Arrays.equals(in.readAllBytes(), payload)).as("1 MiB echoed through the relay").isTrue();
          sent.get(10, TimeUnit.SECONDS);
        }
        served.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void nothingListeningInsideClosesTheConnectionAtOnce() throws Exception {
    LabNetwork net = LabNetwork.create("publish-net", "10.92.0.0/24");
    try (NetworkNamespace web = NetworkNamespace.create("web")) {
      net.connect(web);
      InetSocketAddress host = web.publish(81).hostAddress();
      try (Socket client = new Socket()) {
        client.connect(host, 5_000);
        client.setSoTimeout(10_000);
        assertThat(client.getInputStream().read()).as("docker-proxy's behaviour: accepted, then closed").isEqualTo(-1);
      }
    }
  }

  @Test
  void closingTheEndpointClosesTheListener() throws Exception {
    LabNetwork net = LabNetwork.create("publish-net", "10.92.0.0/24");
    int port;
    try (NetworkNamespace web = NetworkNamespace.create("web")) {
      net.connect(web);
      port = web.publish(80).hostAddress().getPort();
      assertThat(listenersOnHost(port)).isNotBlank();
    }
    assertThat(listenersOnHost(port)).isBlank();
  }

  @Test
  void aTakenHostPortIsRefusedNamingIt() throws Exception {
    LabNetwork net = LabNetwork.create("publish-net", "10.92.0.0/24");
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
         NetworkNamespace web = NetworkNamespace.create("web")) {
      net.connect(web);
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> web.publish(port, 80)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("cannot publish port 80 of network namespace web")
          .hasMessageContaining("127.0.0.1:" + port)
          .hasMessageContaining("ss -tlnp")
          .hasMessageContaining("@Publish(\"80\")");
      assertThat(web.publishedPorts()).isEmpty();
    }
  }

  @Test
  void misuseOfTheProgrammaticApi() {
    try (NetworkNamespace alone = NetworkNamespace.create("alone")) {
      assertThatThrownBy(() -> alone.publish(80)).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("it is on no network");
      assertThatThrownBy(() -> alone.published(80)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("port 80 of network namespace alone").hasMessageContaining("publishes none");
      assertThatThrownBy(() -> alone.publish(70000)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("70000 is not between 1 and 65535");
    }
  }

  // --- the annotation ---

  static class PublishedEndpointTestCase {
    @BridgeNetwork(subnet = "10.89.0.0/24")
    @Publish("80")
    static NetworkNamespace web;

    @Test
    void m() throws Exception {
      SEEN.put("port", web.published(80).getPort());
      SEEN.put("listener", listenersOnHost(web.published(80).getPort()));
      try (ServerSocket server = web.serverSocketFactory().createServerSocket(80)) {
        CompletableFuture<Void> served = serveOnce(server);
        try (Socket client = new Socket()) {
          client.connect(web.published(80), 5_000);
          client.setSoTimeout(10_000);
          client.shutdownOutput();
          SEEN.put("client seen as", readLine(client.getInputStream()));
        }
        served.get(10, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void theAnnotationPublishesForTheEndpointsScope() {
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(PublishedEndpointTestCase.class)).execute()
        .testEvents().assertStatistics(s -> s.succeeded(1));
    int port = (Integer) SEEN.get("port");
    assertThat((String) SEEN.get("listener")).contains("127.0.0.1:" + port);
    assertThat(SEEN.get("client seen as")).isEqualTo("10.89.0.1");
    assertThat(listenersOnHost(port)).as("closed when the class's scope ended").isBlank();
  }

  static class NotAPortTestCase {
    @BridgeNetwork @Publish("80x") static NetworkNamespace web;

    @Test void m() {}
  }

  static class NotLoopbackTestCase {
    @BridgeNetwork @Publish("0.0.0.0:8080:80") static NetworkNamespace web;

    @Test void m() {}
  }

  static class UdpTestCase {
    @BridgeNetwork @Publish("53/udp") static NetworkNamespace dns;

    @Test void m() {}
  }

  static class NoNetworkTestCase {
    @NoNetwork @Publish("80") static NetworkNamespace web;

    @Test void m() {}
  }

  static class HostNetworkTestCase {
    @HostNetwork @Publish("80") static NetworkNamespace web;

    @Test void m() {}
  }

  static class NoModeTestCase {
    @Test @Publish("80") void m() {}
  }

  @ParameterizedTest
  @ValueSource(classes = {NotAPortTestCase.class, NotLoopbackTestCase.class, UdpTestCase.class,
      NoNetworkTestCase.class, HostNetworkTestCase.class, NoModeTestCase.class})
  void misuseFailsBeforeAnythingIsBuilt(Class<?> testCase) {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(testCase)).execute();
    Events events = results.allEvents();
    Throwable failure = events.failed().stream().findFirst().orElseThrow()
        .getPayload(TestExecutionResult.class).orElseThrow().getThrowable().orElseThrow();
    assertThat(failure).isInstanceOf(ExtensionConfigurationException.class);
    String expected = Map.of(
        NotAPortTestCase.class, "@Publish(\"80x\") is not a port mapping: write \"80\", \"8080:80\" or \"127.0.0.1:8080:80\"",
        NotLoopbackTestCase.class, "the host side must be a loopback address of the JVM",
        UdpTestCase.class, "only TCP ports are published",
        NoNetworkTestCase.class, "goes with @NoNetwork, which has no network of its own to publish from (only lo)",
        HostNetworkTestCase.class, "(the endpoint's ports are the host's already)",
        NoModeTestCase.class, "has no endpoint to publish").get(testCase);
    assertThat(failure.getMessage()).startsWith("@Publish on [").contains(expected);
    assertThat(results.testEvents().succeeded().count()).as("no test passed").isZero();
  }
}
