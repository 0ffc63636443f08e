package dev.nsunit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The parsing half; running {@code ip} in namespaces is exercised by every module's oracle tests. */
class IpTests {

  @Test
  void blankOutputIsAnEmptyArray() {
    assertThat(Ip.parse("\n").isArray()).isTrue();
    assertThat(Ip.parse("\n")).isEmpty();
  }

  @Test
  void parsesWhatIpPrints() {
    assertThat(Ip.parse("[{\"ifindex\":1,\"ifname\":\"lo\"}]").get(0).get("ifname").asText()).isEqualTo("lo");
  }

  @Test
  void invalidJsonFailsWithTheText() {
    assertThatThrownBy(() -> Ip.parse("Error: Unknown device type."))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessageStartingWith("iproute2 printed invalid JSON: Error: Unknown device type.");
  }
}
