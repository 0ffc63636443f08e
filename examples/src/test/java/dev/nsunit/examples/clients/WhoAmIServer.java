package dev.nsunit.examples.clients;

import com.sun.net.httpserver.HttpServer;
import dev.nsunit.NetworkNamespace;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A real HTTP server (the JDK's own) serving inside an endpoint: {@code GET /} answers with the
 * caller's address, so a recipe can assert which namespace its request came from.
 */
final class WhoAmIServer implements AutoCloseable {
  static final int PORT = 8080;

  private final HttpServer server;
  private final NetworkNamespace ns;

  private WhoAmIServer(HttpServer server, NetworkNamespace ns) {
    this.server = server;
    this.ns = ns;
  }

  /** Binds port 8080 in {@code ns} and serves from a thread inside it; returns once it listens. */
  static WhoAmIServer startIn(NetworkNamespace ns) throws Exception {
    // created and bound inside: HttpServer opens its channel when it is created
    HttpServer server = ns.call(() -> HttpServer.create(new InetSocketAddress(PORT), 0));
    server.createContext("/", exchange -> {
      byte[] body = exchange.getRemoteAddress().getAddress().getHostAddress().getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    ns.run(server::start); // its dispatcher thread starts here, inside ns
    ns.awaitListening(PORT, Duration.ofSeconds(10));
    return new WhoAmIServer(server, ns);
  }

  /** Where a client connects: {@code http://ADDRESS:8080/}. */
  String url() {
    return "http://" + address().getHostAddress() + ":" + PORT + "/";
  }

  InetAddress address() {
    return ns.ipv4Address().orElseThrow();
  }

  /** Stops serving and waits for the server's thread to end. */
  @Override
  public void close() {
    server.stop(0);
  }
}
