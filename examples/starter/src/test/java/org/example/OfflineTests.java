package org.example;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

/** Like {@code docker run --network none}: each test gets a namespace with only {@code lo}. */
@NoNetwork
class OfflineTests {

  @Test
  void onlyLoopbackIsThere(NetworkNamespace ns) {
    assertThat(ns).hasOnlyLoopback();
    assertThat(ns).hasInterface("lo").isUp().hasAddress("127.0.0.1/8");
    assertThat(ns).hasNoDefaultRoute();
  }

  @Test
  void aClientGetsNetworkIsUnreachable() {
    // The test body runs inside the namespace: a plain socket sees its network, and no packet
    // leaves it (there is no route).
    assertThatThrownBy(() -> {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("192.0.2.1", 80), 1000);
      }
    }).isInstanceOf(SocketException.class).hasMessageContaining("Network is unreachable");
  }
}
