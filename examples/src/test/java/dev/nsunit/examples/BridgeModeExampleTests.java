package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.LabHost;
import dev.nsunit.NetworkNamespace;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * {@code docker run --network bridge}: {@code eth0} on the docker0-like bridge, an address from
 * 172.17.0.0/16 and a default route via the bridge's 172.17.0.1.
 */
@BridgeNetwork
class BridgeModeExampleTests {

  @Test
  void eth0LooksLikeDockers(NetworkNamespace ns) {
    assertThat(ns).hasInterface("eth0")
        .isUp()
        .withAddressIn("172.17.0.0/16")
        .hasBroadcast("172.17.255.255")
        .hasMtu(1500);
    assertThat(ns).hasInterface("lo").isUp().hasAddress("127.0.0.1/8");
  }

  @Test
  void routesAreDefaultViaTheGatewayAndTheLinkRoute(NetworkNamespace ns) {
    String address = ns.addresses().stream()
        .filter(a -> a.interfaceName().equals("eth0") && a.isIpv4())
        .findFirst().orElseThrow().address().getHostAddress();
    assertThat(ns).hasDefaultRoute().via("172.17.0.1").dev("eth0");
    assertThat(ns).hasRoute("172.17.0.0/16").dev("eth0").scope("link").src(address);
  }

  @Test
  void theGatewayAnswersPing(NetworkNamespace ns) {
    assertThat(ns).canReach("172.17.0.1");
  }

  @Test
  void aServerOnTheHostIsReachableThroughTheGateway(NetworkNamespace ns, @LabHost NetworkNamespace host)
      throws Exception {
    try (ServerSocket server = host.call(() -> new ServerSocket(8080))) {
      Thread greeter = new Thread(() -> {
        try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
          out.write("hello from the host\n".getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
          // the assertion below reports the missing greeting
        }
      });
      greeter.start();
      assertThat(ns).canReach("172.17.0.1", 8080);
      greeter.join();
    }
  }

  @Test
  void aPlainJavaClientTalksToTheHost(@LabHost NetworkNamespace host) throws Exception {
    try (ServerSocket server = host.call(() -> new ServerSocket(8081))) {
      Thread greeter = new Thread(() -> {
        try (Socket client = server.accept(); OutputStream out = client.getOutputStream()) {
          out.write("hello from the host\n".getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
          // the assertion below reports the missing greeting
        }
      });
      greeter.start();
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("172.17.0.1", 8081), 2000);
        assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
            .isEqualTo("hello from the host\n");
      }
      greeter.join();
    }
  }
}
