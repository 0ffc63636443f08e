package org.example;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import org.junit.jupiter.api.Test;

/**
 * Like {@code docker run --network bridge}: {@code eth0} on a bridge in nsunit's own lab host,
 * 172.17.0.x/16 and a default route via 172.17.0.1; nothing is added to the real machine.
 */
@BridgeNetwork
class BridgeTests {

  @Test
  void eth0IsOnTheBridge(NetworkNamespace ns) {
    assertThat(ns).hasInterface("eth0").withAddressIn("172.17.0.0/16").isUp();
    assertThat(ns).hasDefaultRoute().via("172.17.0.1");
  }

  @Test
  void theGatewayAnswers(NetworkNamespace ns) {
    assertThat(ns).canReach("172.17.0.1");
  }
}
