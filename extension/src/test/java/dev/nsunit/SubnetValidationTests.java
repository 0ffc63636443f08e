package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.IpPrefix;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodDescriptor;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.MethodOrdererContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * Which IPv4 subnets a bridge network may use, and overlaps between the subnets of one class,
 * checked before anything is built (the exact message of each refusal through the extension:
 * {@link ConfigurationErrorTests}). Nothing here builds a bridge: the lab's bridges live as long
 * as the JVM, and other tests expect the default one to be the first.
 */
class SubnetValidationTests {

  @BeforeAll
  static void createTheLabSoItsLinksCanBeCounted() {
    Lab.get();
  }

  @ParameterizedTest(name = "{0} overlaps {1}")
  @CsvSource(delimiter = '|', textBlock = """
      0.0.0.0/0          | 0.0.0.0/8
      0.0.0.0/8          | 0.0.0.0/8
      0.1.2.0/24         | 0.0.0.0/8
      127.0.0.0/8        | 127.0.0.0/8
      127.5.0.0/16       | 127.0.0.0/8
      126.0.0.0/7        | 127.0.0.0/8
      169.254.0.0/16     | 169.254.0.0/16
      169.254.7.0/24     | 169.254.0.0/16
      128.0.0.0/1        | 169.254.0.0/16
      192.0.0.0/24       | 192.0.0.0/24
      192.0.0.0/29       | 192.0.0.0/24
      192.0.0.0/23       | 192.0.0.0/24
      192.0.0.0/8        | 192.0.0.0/24
      192.31.196.0/24    | 192.31.196.0/24
      192.52.193.0/24    | 192.52.193.0/24
      192.88.99.0/24     | 192.88.99.0/24
      192.175.48.0/24    | 192.175.48.0/24
      224.0.0.0/4        | 224.0.0.0/4
      224.0.0.0/24       | 224.0.0.0/4
      239.255.255.0/24   | 224.0.0.0/4
      240.0.0.0/4        | 240.0.0.0/4
      255.255.255.252/30 | 240.0.0.0/4
      """)
  void aSpecialPurposeRangeIsRefusedEvenInPartOrAsPartOfALargerSubnet(String subnet, String firstRefused) {
    assertThat(SpecialPurposeRanges.overlapping(IpPrefix.parse(subnet))).first()
        .extracting(r -> r.prefix().toString()).isEqualTo(firstRefused);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", // private (RFC 1918)
      "172.17.0.0/16", "172.18.0.0/16", "10.88.0.0/24", // Docker's default and user-defined networks
      "100.64.0.0/10", // shared address space (RFC 6598), CGNAT
      "192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24", // documentation (RFC 5737)
      "198.18.0.0/15", // benchmarking (RFC 2544)
      "192.0.2.0/23", "192.0.1.0/24", "192.1.0.0/16", "44.0.0.0/8", // neighbours of refused ranges, public ones
  })
  void theRangesDockerUsersPickStayAllowed(String subnet) {
    assertThat(SpecialPurposeRanges.overlapping(IpPrefix.parse(subnet))).isEmpty();
  }

  @Test
  void theSuggestedPrivateRangeIsAllowedHasTheSizeAskedForWherePossibleAndMissesTheDefaultSubnet() {
    IpPrefix defaultSubnet = IpPrefix.parse(BridgeNetwork.DEFAULT_SUBNET);
    IntStream.rangeClosed(0, 30).forEach(length -> {
      IpPrefix suggested = SpecialPurposeRanges.privateAlternative(length);
      assertThat(SpecialPurposeRanges.overlapping(suggested)).as("/%d -> %s", length, suggested).isEmpty();
      assertThat(suggested.overlaps(defaultSubnet)).as("/%d -> %s", length, suggested).isFalse();
      assertThat(suggested.length()).isEqualTo(Math.max(8, length));
      assertThat(suggested.isNetwork()).isTrue();
    });
  }

  // ---- overlapping subnets in one class: one message, whatever order the tests run in ----

  static class OverlapOnTwoTestsTestCase {
    @Test
    @BridgeNetwork(subnet = "10.40.0.0/16")
    void wide() {}

    @Test
    @BridgeNetwork(subnet = "10.40.1.0/24")
    void narrow() {}
  }

  /** The reverse of {@link MethodOrderer.MethodName}. */
  public static class ReverseMethodName implements MethodOrderer {
    @Override
    public void orderMethods(MethodOrdererContext context) {
      context.getMethodDescriptors().sort(
          Comparator.comparing((MethodDescriptor d) -> d.getMethod().getName()).reversed());
    }
  }

  @ParameterizedTest
  @ValueSource(classes = {MethodOrderer.MethodName.class, ReverseMethodName.class})
  void overlappingSubnetsOfTwoTestsFailBothWithOneMessageWhateverTheOrder(Class<? extends MethodOrderer> order) {
    List<String> lab = ConfigurationErrorTests.labLinks();
    int fds = ConfigurationErrorTests.openFds();

    List<Throwable> failures = EngineTestKit.engine("junit-jupiter").selectors(selectClass(OverlapOnTwoTestsTestCase.class))
        .configurationParameter("junit.jupiter.testmethod.order.default", order.getName()).execute()
        .testEvents().failed().stream().map(ConfigurationErrorTests::throwable).collect(Collectors.toList());

    assertThat(failures).hasSize(2).allSatisfy(t -> assertThat(t)
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("@BridgeNetwork(subnet = \"10.40.0.0/16\") on [method OverlapOnTwoTestsTestCase.wide()] overlaps"
            + " @BridgeNetwork(subnet = \"10.40.1.0/24\") on [method OverlapOnTwoTestsTestCase.narrow()]; each"
            + " subnet is a bridge of its own, and two bridges cannot share addresses (Docker refuses overlapping"
            + " networks too). Use the same subnet for both, or subnets that do not overlap."));
    ConfigurationErrorTests.assertNoNewLabLinks(lab);
    assertThat(ConfigurationErrorTests.openFds()).isEqualTo(fds);
  }
}
