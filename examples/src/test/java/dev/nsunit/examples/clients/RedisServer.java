package dev.nsunit.examples.clients;

import dev.nsunit.NetworkNamespace;
import java.io.IOException;
import java.time.Duration;

/** A real redis-server, started inside an endpoint; the endpoint's close() kills it. */
final class RedisServer {
  static final int PORT = 6379;

  private RedisServer() {}

  /** Starts redis-server in {@code ns} and returns once it listens on 6379. */
  static void startIn(NetworkNamespace ns) throws IOException {
    ns.start(new ProcessBuilder("redis-server", "--port", String.valueOf(PORT), "--bind", "0.0.0.0",
        "--protected-mode", "no", "--save", "", "--appendonly", "no", "--dir", System.getProperty("java.io.tmpdir"))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD));
    ns.awaitListening(PORT, Duration.ofSeconds(20));
  }
}
