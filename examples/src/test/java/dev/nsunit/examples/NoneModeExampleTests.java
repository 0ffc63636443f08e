package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.model.ProbeResult.Reason;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/**
 * {@code docker run --network none}: the container has only {@code lo}, and the rest of the
 * world, even the Docker bridge's gateway, is "Network unreachable".
 */
@NoNetwork
class NoneModeExampleTests {

  @Test
  void hasOnlyLoopback(NetworkNamespace ns) {
    assertThat(ns).hasOnlyLoopback();
    assertThat(ns).hasInterface("lo").isUp().isLoopback().hasMtu(65536).hasAddress("127.0.0.1/8");
  }

  @Test
  void theGatewayIsUnreachable(NetworkNamespace ns) {
    assertThat(ns).cannotReach("172.17.0.1").withReason(Reason.NETWORK_UNREACHABLE);
  }

  @Test
  void aClientConnectingOutGetsNetworkIsUnreachable() {
    // The test body itself runs inside the namespace: plain Java sockets see its network.
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("172.17.0.1", 6379), 1000);
      }
    }).isInstanceOf(SocketException.class).hasMessageContaining("Network is unreachable");
  }
}
