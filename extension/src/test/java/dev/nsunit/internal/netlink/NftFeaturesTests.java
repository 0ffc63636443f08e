package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.netlink.KernelFeatures.NftFeature;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.testing.Shell;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The nf_tables probe of {@link KernelFeatures}: it agrees with {@code nft} doing the same in a
 * fresh namespace, and a kernel without a feature is refused with a message that names the
 * kernel options it needs.
 */
class NftFeaturesTests {

  @ParameterizedTest
  @EnumSource(NftFeature.class)
  void theProbeAgreesWithNft(NftFeature feature) {
    Netns scratch = Netns.create("nft probe oracle");
    try {
      String path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + scratch.fd();
      assertThat(KernelFeatures.supported(feature)).isEqualTo(nftSucceeds(path, feature));
    } finally {
      scratch.close();
    }
  }

  /** Whether nft can build, in the namespace at {@code path}, what {@code feature} needs. */
  private static boolean nftSucceeds(String path, NftFeature feature) {
    List<String> commands;
    switch (feature) {
      case NF_TABLES:
        commands = List.of("add table inet oracle");
        break;
      case REJECT:
        commands = List.of("add table inet oracle",
            "add chain inet oracle c { type filter hook forward priority 0 ; policy accept ; }",
            "add rule inet oracle c reject with icmpx type host-unreachable");
        break;
      default:
        commands = List.of("add table inet oracle",
            "add chain inet oracle c { type nat hook postrouting priority 100 ; policy accept ; }",
            "add rule inet oracle c masquerade");
        break;
    }
    try {
      for (String c : commands) {
        Shell.in(path, "nft", c);
      }
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  @Test
  void aKernelWithoutNfTablesIsRefusedNamingItsKernelOptions() throws Exception {
    try (AutoCloseable missing = KernelFeatures.simulateMissing(NftFeature.NF_TABLES)) {
      assertThat(KernelFeatures.supported(NftFeature.NF_TABLES)).isFalse();
      assertThatThrownBy(() -> KernelFeatures.require(NftFeature.NF_TABLES))
          .isExactlyInstanceOf(UnsupportedOperationException.class)
          .hasMessage("this kernel has no nf_tables (family inet): the nf_tables batch that uses it fails"
              + " (EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT or ENOENT). Build the kernel with CONFIG_NF_TABLES and"
              + " CONFIG_NF_TABLES_INET or load the modules (modprobe -a nf_tables).");
    }
    assertThat(KernelFeatures.supported(NftFeature.NF_TABLES)).as("the real kernel has it").isTrue();
  }

  @Test
  void aKernelWithoutAnExpressionIsRefusedNamingItsKernelOptions() throws Exception {
    try (AutoCloseable missing = KernelFeatures.simulateMissing(NftFeature.REJECT, NftFeature.MASQ)) {
      assertThatThrownBy(() -> KernelFeatures.require(NftFeature.REJECT))
          .isExactlyInstanceOf(UnsupportedOperationException.class)
          .hasMessageStartingWith("this kernel has no reject expression for family inet in its nf_tables: ")
          .hasMessageContaining("CONFIG_NFT_REJECT and CONFIG_NFT_REJECT_INET")
          .hasMessageEndingWith("(modprobe -a nft_reject_inet).");
      assertThatThrownBy(() -> KernelFeatures.require(NftFeature.MASQ))
          .isExactlyInstanceOf(UnsupportedOperationException.class)
          .hasMessageContaining("CONFIG_NFT_MASQ and CONFIG_NFT_NAT")
          .hasMessageEndingWith("(modprobe -a nft_masq nft_chain_nat).");
      KernelFeatures.require(NftFeature.NF_TABLES); // only what was simulated is missing
    }
    KernelFeatures.require(NftFeature.REJECT);
    KernelFeatures.require(NftFeature.MASQ);
  }
}
