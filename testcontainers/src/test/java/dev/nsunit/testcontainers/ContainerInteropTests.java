package dev.nsunit.testcontainers;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.SharedNetworkWith;
import dev.nsunit.testing.Await;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;

/**
 * Against a real Docker engine (see ci/docker-engine.sh): containers built from the local image
 * {@value #IMAGE_NAME}, which echoes whatever is sent to port 6379. Disabled, with that reason,
 * where Docker is not available.
 */
@Testcontainers(disabledWithoutDocker = true)
@EnabledIfImagePresent("nsunit/busybox-echo:latest")
class ContainerInteropTests {
  static final String IMAGE_NAME = "nsunit/busybox-echo:latest";
  static final DockerImageName IMAGE = DockerImageName.parse(IMAGE_NAME);

  @Container
  static final GenericContainer<?> echo = new GenericContainer<>(IMAGE).withImagePullPolicy(image -> false);

  @Container
  static final GenericContainer<?> offline = new GenericContainer<>(IMAGE).withImagePullPolicy(image -> false).withNetworkMode("none");

  @BeforeAll
  static void waitForTheListeners() throws Exception {
    for (GenericContainer<?> c : List.of(echo, offline)) {
      try (NetworkNamespace ns = ContainerNamespaces.open(c)) {
        Await.until("something to listen on TCP 6379 in " + ns,
            () -> ns.sockets().stream().anyMatch(s -> s.isListening() && s.localPort() == 6379), ns::snapshot);
      }
    }
  }

  @Test
  void opensARunningContainersNamespace() throws IOException {
    long pid = echo.getContainerInfo().getState().getPidLong();
    String link = Files.readSymbolicLink(Path.of("/proc/" + pid + "/ns/net")).toString();
    try (NetworkNamespace ns = ContainerNamespaces.open(echo)) {
      assertThat(ns.id().toString()).isEqualTo(link);
      assertThat(ns).isNotHostNamespace();
      assertThat(ns).hasInterface("eth0").isUp().withAddressIn("172.17.0.0/16");
      assertThat(ns).hasDefaultRoute().via("172.17.0.1").dev("eth0");
      assertThat(ns).isListeningOn(6379);
    }
    assertThat(echo.isRunning()).as("closing the handle leaves the container running").isTrue();
  }

  @Test
  void aContainerWithNetworkNoneHasOnlyLoopback() {
    try (NetworkNamespace ns = ContainerNamespaces.open(offline)) {
      assertThat(ns).hasOnlyLoopback().hasNoDefaultRoute();
      assertThat(ns).isListeningOn(6379);
    }
  }

  @Test
  @SharedNetworkWith("echo")
  void aTestSharingTheContainersNetworkTalksToItOnLocalhost(NetworkNamespace ns) throws IOException {
    assertThat(ns).isListeningOn(6379);
    assertThat(echoThrough127001("ping from the test")).isEqualTo("ping from the test");
  }

  static String echoThrough127001(String message) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
      s.setSoTimeout(5000);
      OutputStream out = s.getOutputStream();
      out.write((message + "\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[message.length() + 1];
      int n = in.readNBytes(buf, 0, buf.length);
      return new String(buf, 0, n, StandardCharsets.UTF_8).trim();
    }
  }

  @EnabledIfImagePresent("nsunit/not-built-here:0")
  static class MissingImageTestCase {
    @Test
    void m() {}
  }

  @Test
  void aMissingImageDisablesTheClassInsteadOfPullingIt() {
    var skipped = EngineTestKit.engine("junit-jupiter").selectors(selectClass(MissingImageTestCase.class))
        .execute().containerEvents().skipped().list();
    assertThat(skipped).singleElement().satisfies(e -> assertThat(e.getRequiredPayload(String.class))
        .isEqualTo("image nsunit/not-built-here:0 is not present in this Docker engine, and these tests never"
            + " pull; build it first (in this repository: sudo ci/docker-engine.sh start)"));
  }

  static class NotStartedTestCase {
    static final GenericContainer<?> idle = new GenericContainer<>(IMAGE).withImagePullPolicy(image -> false);

    @Test
    @SharedNetworkWith("idle")
    void m(NetworkNamespace ns) {}
  }

  @Test
  void namingAContainerThatWasNotStartedSaysHowToStartIt() {
    List<Throwable> failures = EngineTestKit.engine("junit-jupiter").selectors(selectClass(NotStartedTestCase.class))
        .execute().allEvents().failed().stream()
        .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .collect(Collectors.toList());
    assertThat(failures).singleElement().isInstanceOf(ExtensionConfigurationException.class);
    assertThat(failures.get(0)).hasMessage("@SharedNetworkWith(\"idle\") on [method NotStartedTestCase.m()]: the"
        + " container nsunit/busybox-echo:latest is not running; start it first (annotate the field with @Container"
        + " and the class with @Testcontainers, or call start())");
  }
}
