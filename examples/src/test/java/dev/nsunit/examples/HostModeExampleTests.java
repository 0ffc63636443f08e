package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.nsunit.HostNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.Link;
import dev.nsunit.testing.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code docker run --network host}: no isolation. The container's {@code /proc/<pid>/ns/net}
 * link is the host's, and it sees the host's interfaces.
 */
@HostNetwork
class HostModeExampleTests {

  @Test
  void runsInTheJvmsOwnNamespace(NetworkNamespace ns) throws IOException {
    Path mine = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
    Path jvms = Files.readSymbolicLink(Path.of("/proc/self/ns/net"));
    assertThat(mine).isEqualTo(jvms);
    assertThat(ns).isHostNamespace();
  }

  @Test
  void seesTheHostsInterfaces(NetworkNamespace ns) throws IOException {
    // /sys/class/net shows the namespace sysfs was mounted in: the machine's, not the rootless
    // launcher's fresh one
    assumeFalse(Rootless.active(),
        "under ci/nsunit-rootless the JVM's namespace is the launcher's, while sysfs still shows the machine's");
    Set<String> fromSysfs;
    try (var entries = Files.list(Path.of("/sys/class/net"))) {
      fromSysfs = entries.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
    assertThat(ns.links()).extracting(Link::name).containsExactlyInAnyOrderElementsOf(fromSysfs);
    assertThat(ns).hasInterface("lo").isUp().isLoopback();
  }
}
