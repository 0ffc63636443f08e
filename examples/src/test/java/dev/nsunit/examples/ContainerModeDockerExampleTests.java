package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.SharedNetworkWith;
import dev.nsunit.testcontainers.ContainerNamespaces;
import dev.nsunit.testcontainers.EnabledIfImagePresent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * Docker's container mode with a real container: a busybox container listens on 6379 (and
 * echoes), and a test that shares its network ({@code docker run --network container:echo})
 * sees the port and gets its echo back on 127.0.0.1:6379. The image is built locally by
 * ci/docker-engine.sh; without Docker the class is disabled, not failed.
 */
@Testcontainers(disabledWithoutDocker = true)
@EnabledIfImagePresent("nsunit/busybox-echo:latest")
class ContainerModeDockerExampleTests {

  @Container
  static final GenericContainer<?> echo =
      new GenericContainer<>(DockerImageName.parse("nsunit/busybox-echo:latest"))
          .withImagePullPolicy(image -> false); // built locally by ci/docker-engine.sh; never pulled

  @BeforeAll
  static void waitUntilItListens() {
    try (NetworkNamespace ns = ContainerNamespaces.open(echo)) {
      ns.awaitListening(6379, Duration.ofSeconds(20));
    }
  }

  @Test
  @SharedNetworkWith("echo")
  void seesTheContainersPortAndGetsTheEchoOnLocalhost(NetworkNamespace ns) throws IOException {
    assertThat(ns).hasInterface("eth0").withAddressIn("172.17.0.0/16");
    assertThat(ns).isListeningOn(6379);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write("PING\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(new String(s.getInputStream().readNBytes(5), StandardCharsets.US_ASCII)).isEqualTo("PING\n");
    }
  }

  @Test
  void anyRunningContainerCanBeInspectedWithoutJoiningIt() {
    try (NetworkNamespace ns = ContainerNamespaces.open(echo)) {
      assertThat(ns).hasDefaultRoute().via("172.17.0.1");
      assertThat(ns).isNotHostNamespace();
    }
  }
}
