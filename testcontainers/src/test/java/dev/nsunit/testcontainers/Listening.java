package dev.nsunit.testcontainers;

import dev.nsunit.NetworkNamespace;
import java.time.Duration;
import java.time.Instant;

/** Waits, by reading the namespace's sockets, until something listens on a TCP port. */
final class Listening {
  private Listening() {}

  static void await(NetworkNamespace ns, int port) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (ns.sockets().stream().noneMatch(s -> s.isListening() && s.localPort() == port)) {
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException("nothing listens on " + port + " in " + ns + " after 20 s:\n" + ns.snapshot());
      }
      Thread.sleep(20);
    }
  }
}
