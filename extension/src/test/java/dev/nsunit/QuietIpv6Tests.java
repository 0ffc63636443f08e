package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.probe.Reachability;
import dev.nsunit.testing.Ip;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@link LabNetwork.Builder#quietIpv6()}: no link-local address, so nothing to flood; checked with {@code ip -d -j}. */
class QuietIpv6Tests {

  @Test
  void endpointsOnAQuietNetworkHaveNoIpv6LinkLocalAddressAndStillReachEachOther() throws Exception {
    LabNetwork quiet = LabNetwork.builder("quiet6").quietIpv6().create();
    try (NetworkNamespace a = NetworkNamespace.create("qa"); NetworkNamespace b = NetworkNamespace.create("qb")) {
      quiet.connect(a);
      quiet.connect(b);
      JsonNode link = Ip.json(a.path().toString(), "-d", "-j", "link", "show", "dev", "eth0").get(0);
      assertThat(link.get("inet6_addr_gen_mode").asText()).isEqualTo("none");
      JsonNode eth0 = Ip.json(a.path().toString(), "-j", "addr", "show", "dev", "eth0").get(0);
      assertThat(eth0.get("addr_info")).extracting(n -> n.get("family").asText()).containsExactly("inet");
      InetAddress target = b.ipv4Address().orElseThrow();
      assertThat(a.call(() -> Reachability.icmpEcho(target, Duration.ofSeconds(2))).isReached()).isTrue();
    }
  }

  @Test
  void aNetworkThatIsNotQuietKeepsTheLinkLocalAddress() {
    LabNetwork loud = LabNetwork.builder("loud6").create();
    try (NetworkNamespace a = NetworkNamespace.create("la")) {
      loud.connect(a);
      JsonNode eth0 = Ip.json(a.path().toString(), "-d", "-j", "addr", "show", "dev", "eth0").get(0);
      assertThat(eth0.get("addr_info")).extracting(n -> n.get("family").asText()).contains("inet6");
    }
  }
}
