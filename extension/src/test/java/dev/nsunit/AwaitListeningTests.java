package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.model.InetSocket;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link NetworkNamespace#awaitListening}: the wait every test of a server needs. */
class AwaitListeningTests {

  @Test
  void returnsTheListenerOnceAServerBinds() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("await")) {
      try (ServerSocket server = ns.call(() -> new ServerSocket(7000))) {
        InetSocket listener = ns.awaitListening(7000, Duration.ofSeconds(10));
        assertThat(listener.isListening()).isTrue();
        assertThat(listener.localPort()).isEqualTo(server.getLocalPort());
        assertThat(NetworkNamespace.ownersOf(listener)).anyMatch(o -> o.pid() == ProcessHandle.current().pid());
      }
    }
  }

  @Test
  void waitsForAProcessThatBindsLater() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("await-process")) {
      // redis-server is what ci/install-deps.sh installs for the examples; it binds after a pause
      ns.start(new ProcessBuilder("sh", "-c", "sleep 0.3; exec redis-server --port 7001 --save '' --appendonly no")
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
      assertThat(ns.awaitListening(7001, Duration.ofSeconds(20)).localPort()).isEqualTo(7001);
    }
  }

  @Test
  void failsWithTheNamespaceAsEvidenceWhenNothingListens() {
    try (NetworkNamespace ns = NetworkNamespace.create("await-nothing")) {
      assertThatThrownBy(() -> ns.awaitListening(7002, Duration.ofMillis(50)))
          .isExactlyInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("nothing listens on TCP port 7002 in " + ns + " after 50 ms")
          .hasMessageContaining("lo: <LOOPBACK,UP,LOWER_UP>");
    }
  }
}
