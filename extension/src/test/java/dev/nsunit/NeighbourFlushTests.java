package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.testing.Ip;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link NetworkNamespace#flushNeighbours()}, against {@code ip -j neigh}. */
class NeighbourFlushTests {

  @Test
  void flushForgetsLearnedEntriesAndTheNextPacketLearnsAgain() {
    LabNetwork net = LabNetwork.builder("neigh").create();
    try (NetworkNamespace a = NetworkNamespace.create("na"); NetworkNamespace b = NetworkNamespace.create("nb")) {
      net.connect(a);
      net.connect(b);
      InetAddress target = b.ipv4Address().orElseThrow();
      assertThat(a.ping(target, Duration.ofSeconds(2)).isReached()).isTrue();
      assertThat(learned(a, target)).as("ip neigh after a ping").isTrue();

      assertThat(a.flushNeighbours()).isGreaterThanOrEqualTo(1);
      assertThat(learned(a, target)).as("ip neigh after the flush").isFalse();

      assertThat(a.ping(target, Duration.ofSeconds(2)).isReached()).isTrue();
      assertThat(learned(a, target)).as("ip neigh after pinging again").isTrue();
    }
  }

  /** Whether {@code ip -j neigh} in {@code ns} lists {@code address} with a MAC. */
  static boolean learned(NetworkNamespace ns, InetAddress address) {
    for (JsonNode n : Ip.json(ns.path().toString(), "-j", "-4", "neigh", "show")) {
      if (n.get("dst").asText().equals(address.getHostAddress()) && n.has("lladdr")) {
        return true;
      }
    }
    return false;
  }
}
