package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.nsunit.Connect;
import dev.nsunit.Network;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.Publish;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;
import redis.clients.jedis.Jedis;

/**
 * Three services on two user-defined networks, as a Compose file would put them:
 *
 * <pre>
 * docker network create frontend; docker network create --internal backend
 * docker run -d --network backend --network-alias db redis          # redis-server, found as "db"
 * docker run -d --network frontend --name api ...; docker network connect backend api
 * docker run -d --network frontend --name web -p 8080 ...           # published on the host
 *
 *   the JVM (the test) --127.0.0.1:PORT--> web --frontend--> api --backend--> db (redis)
 * </pre>
 *
 * <p>Each service finds the next by name, as in Docker: {@code web} calls {@code http://api:9000},
 * {@code api} opens {@code new Jedis("db", 6379)}. Processes resolve names through their own
 * {@code /etc/resolv.conf} and the endpoint's DNS server at 127.0.0.11 on every JDK; Java code on
 * an endpoint's threads resolves them on JDK 18 and newer (README, "Names").
 */
@Network(name = "frontend", subnet = "172.18.0.0/16")
@Network(name = "backend", subnet = "172.19.0.0/16", internal = true)
class MultiServiceExampleTests {
  @Connect(network = "backend", aliases = "db")
  static NetworkNamespace redis;

  @Connect(network = "frontend")
  @Connect(network = "backend")
  static NetworkNamespace api;

  @Connect(network = "frontend")
  @Publish("8080")
  static NetworkNamespace web;

  static HttpServer apiServer;
  static HttpServer webServer;

  @BeforeAll
  static void startServices() throws Exception {
    redis.start(new ProcessBuilder("redis-server", "--port", "6379", "--bind", "0.0.0.0", "--protected-mode", "no",
        "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
    redis.awaitListening(6379, Duration.ofSeconds(20));

    // the api: GET /ping asks redis, by its name on the backend
    apiServer = api.call(() -> serve(9000, "/ping", () -> {
      try (Jedis db = new Jedis("db", 6379)) {
        return "api -> db: " + db.ping();
      }
    }));
    // the web: GET / asks the api, by its name on the frontend; GET /health answers itself
    webServer = web.call(() -> serve(8080, "/", () -> "web -> " + get("api", 9000, "/ping")));
  }

  @AfterAll
  static void stopServices() {
    if (webServer != null) {
      webServer.stop(0);
    }
    if (apiServer != null) {
      apiServer.stop(0);
    }
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_18)
  void theJvmReachesTheWholeChainThroughThePublishedPort() throws Exception {
    InetSocketAddress published = web.published(8080);   // 127.0.0.1:<a free port>, like docker port web 8080
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> response = client.send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + published.getPort() + "/")).timeout(Duration.ofSeconds(10)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.body()).isEqualTo("web -> api -> db: PONG");
    } finally {
      if (client instanceof AutoCloseable closeable) {
        closeable.close(); // Java 21+; see clients/JdkHttpClientRecipeExampleTests for 18 to 20
      }
    }
  }

  @Test
  void thePublishedPortReachesTheWebOnEveryJdk() throws Exception {
    assertThat(get("127.0.0.1", web.published(8080).getPort(), "/health")).isEqualTo("ok");
  }

  @Test
  void processesFindServicesByName() throws Exception {
    assertThat(run(api, "redis-cli", "-h", "db", "ping")).isEqualTo("PONG");
    assertThat(run(api, "getent", "hosts", "db"))
        .startsWith(redis.ipv4Address("backend").orElseThrow().getHostAddress() + " ");
    assertThat(run(web, "getent", "hosts", "api"))
        .startsWith(api.ipv4Address("frontend").orElseThrow().getHostAddress() + " ");
    assertThat(run(web, "hostname")).isEqualTo("web");
  }

  @Test
  void theWebCanNeitherResolveNorReachTheDatabase() throws Exception {
    assertThat(web.resolve("db")).isEmpty();                       // not on the backend
    assertThat(run(web, "sh", "-c", "getent hosts db || echo unknown")).isEqualTo("unknown");
    assertThat(web).cannotReach(redis.ipv4Address("backend").orElseThrow().getHostAddress());
  }

  /** An HTTP server on {@code port} of the calling thread's namespace: {@code path} answers what {@code body} gives, /health "ok". */
  private static HttpServer serve(int port, String path, Body body) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 16);
    server.createContext("/health", exchange -> reply(exchange, "ok"));
    server.createContext(path, exchange -> {
      String text;
      try {
        text = body.get();
      } catch (Exception e) {
        text = "failed: " + e;
      }
      reply(exchange, text);
    });
    server.start(); // its thread starts here, inside the endpoint: it stops in @AfterAll
    return server;
  }

  private static void reply(HttpExchange exchange, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** HTTP/1.0 GET on a plain socket: no client threads or connection pools left behind in the endpoint. */
  private static String get(String host, int port, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(("GET " + path + " HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return response.substring(response.indexOf("\r\n\r\n") + 4);
    }
  }

  private static String run(NetworkNamespace ns, String... command) throws Exception {
    Process p = ns.start(new ProcessBuilder(command).redirectErrorStream(true));
    try (InputStream in = p.getInputStream()) {
      String out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
      return out;
    }
  }

  @FunctionalInterface
  private interface Body {
    String get() throws Exception;
  }
}
