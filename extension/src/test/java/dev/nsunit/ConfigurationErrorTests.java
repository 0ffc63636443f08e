package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Link;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;

/**
 * Every misuse the extension can see fails with one clear exception, raised before anything is
 * built: no namespace is created (our fd count is unchanged) and no lab link appears.
 */
class ConfigurationErrorTests {

  static class TwoModesTestCase {
    @Test
    @NoNetwork
    @HostNetwork
    void m() {}
  }

  static class UnknownNameTestCase {
    @NoNetwork static NetworkNamespace web;
    @BridgeNetwork static NetworkNamespace cache;

    @Test
    @SharedNetworkWith("db")
    void m() {}
  }

  static class SelfReferenceTestCase {
    @SharedNetworkWith("me") NetworkNamespace me;

    @Test
    void m() {}
  }

  static class CycleTestCase {
    @SharedNetworkWith("b") NetworkNamespace a;
    @SharedNetworkWith("c") NetworkNamespace b;
    @SharedNetworkWith("a") NetworkNamespace c;

    @Test
    void m() {}
  }

  static class InvalidCidrTestCase {
    @Test
    @BridgeNetwork(subnet = "172.17.0.0/33")
    void m() {}
  }

  static class GarbageCidrTestCase {
    @Test
    @BridgeNetwork(subnet = "docker0")
    void m() {}
  }

  static class NonNetworkCidrTestCase {
    @Test
    @BridgeNetwork(subnet = "172.17.0.3/16")
    void m() {}
  }

  static class GatewayOutsideTestCase {
    @Test
    @BridgeNetwork(subnet = "10.1.0.0/24", gateway = "10.2.0.1")
    void m() {}
  }

  static class AddressTakenTwiceTestCase {
    @BridgeNetwork(address = "172.17.0.9") NetworkNamespace web;
    @BridgeNetwork(address = "172.17.0.9") NetworkNamespace api;

    @Test
    void m() {}
  }

  static class WrongTypeTestCase {
    @NoNetwork String web;

    @Test
    void m() {}
  }

  static class FinalFieldTestCase {
    @NoNetwork final NetworkNamespace web = null;

    @Test
    void m() {}
  }

  static class PoolExhaustedTestCase {
    @BridgeNetwork(subnet = "10.99.0.0/30") static NetworkNamespace one;

    @Test
    @BridgeNetwork(subnet = "10.99.0.0/30")
    void m() {}
  }

  static class StaticSharesPerTestTestCase {
    @NoNetwork NetworkNamespace perTest;
    @SharedNetworkWith("perTest") static NetworkNamespace forAll;

    @Test
    void m() {}
  }

  /** A type no NamespaceResolver on this module's test classpath opens, as a container is without nsunit-testcontainers. */
  static class RedisContainer {}

  static class ContainerWithoutInteropTestCase {
    static RedisContainer redis = new RedisContainer();

    @Test
    @SharedNetworkWith("redis")
    void m() {}
  }

  static class BadMtuTestCase {
    @Test
    @BridgeNetwork(mtu = 20)
    void m() {}
  }

  static class WholeAddressSpaceTestCase {
    @Test
    @BridgeNetwork(subnet = "0.0.0.0/0")
    void m() {}
  }

  static class LoopbackSubnetTestCase {
    @Test
    @BridgeNetwork(subnet = "127.0.0.0/8")
    void m() {}
  }

  static class LinkLocalSubnetTestCase {
    @Test
    @BridgeNetwork(subnet = "169.254.0.0/16")
    void m() {}
  }

  static class MulticastSubnetTestCase {
    @NoNetwork static NetworkNamespace registersTheExtension;
    @BridgeNetwork(subnet = "239.1.2.0/24") NetworkNamespace web;

    @Test
    void m() {}
  }

  static class ThisNetworkSubnetTestCase {
    @Test
    @BridgeNetwork(subnet = "0.0.0.0/8")
    void m() {}
  }

  static class BroadcastSubnetTestCase {
    @Test
    @BridgeNetwork(subnet = "255.255.255.252/30")
    void m() {}
  }

  static class OverlappingSubnetsTestCase {
    @BridgeNetwork(subnet = "10.0.1.0/24") static NetworkNamespace web;

    @Test
    @BridgeNetwork(subnet = "10.0.0.0/16")
    void m() {}
  }

  static class DefaultSubnetOverlapTestCase {
    @BridgeNetwork static NetworkNamespace web;
    @BridgeNetwork(subnet = "172.17.5.0/24") static NetworkNamespace api;

    @Test
    void m() {}
  }

  static class TwoGatewaysForOneSubnetTestCase {
    @BridgeNetwork(subnet = "10.3.0.0/24", gateway = "10.3.0.254") static NetworkNamespace web;

    @Test
    @BridgeNetwork(subnet = "10.3.0.0/24")
    void m() {}
  }

  static class NetworkAddressTestCase {
    @Test
    @BridgeNetwork(address = "172.17.0.0")
    void m() {}
  }

  static class AddressOutsideTestCase {
    @Test
    @BridgeNetwork(subnet = "10.1.0.0/24", address = "10.2.0.5")
    void m() {}
  }

  static class GatewayAsAddressTestCase {
    @Test
    @BridgeNetwork(subnet = "10.1.0.0/24", address = "10.1.0.1")
    void m() {}
  }

  static class BroadcastAddressBesideAMovedGatewayTestCase {
    @Test
    @BridgeNetwork(subnet = "10.1.0.0/30", gateway = "10.1.0.2", address = "10.1.0.3")
    void m() {}
  }

  static class CycleAcrossNestingTestCase {
    @SharedNetworkWith("b") static NetworkNamespace a;

    @Nested
    class Inner {
      @SharedNetworkWith("a") static NetworkNamespace b;

      @Test
      void m() {}
    }
  }

  static class LongCycleAcrossNestingTestCase {
    @SharedNetworkWith("c") static NetworkNamespace a;

    @Nested
    class Middle {
      @SharedNetworkWith("a") static NetworkNamespace b;

      @Nested
      class Innermost {
        @SharedNetworkWith("b") static NetworkNamespace c;

        @Test
        void m() {}
      }
    }
  }

  static class SharesANestedEndpointTestCase {
    @SharedNetworkWith("db") static NetworkNamespace web;

    @Nested
    class Inner {
      @NoNetwork static NetworkNamespace db;

      @Test
      void m() {}
    }
  }

  private static final String SPECIAL = ", which a bridge network cannot use: addresses there mean something special"
      + " to every host and router. Use a private range instead, e.g. ";

  static Stream<Arguments> misuses() {
    return Stream.of(
        Arguments.of(TwoModesTestCase.class,
            "[method TwoModesTestCase.m()] carries @NoNetwork and @HostNetwork, but a test or endpoint has exactly"
                + " one network mode, as a container has one --network. Keep one of them."),
        Arguments.of(UnknownNameTestCase.class,
            "@SharedNetworkWith(\"db\") on [method UnknownNameTestCase.m()] names no endpoint; declared endpoints:"
                + " [cache, web]. Declare a NetworkNamespace field called db with a mode annotation, or fix the name."),
        Arguments.of(SelfReferenceTestCase.class,
            "@SharedNetworkWith(\"me\") on [field SelfReferenceTestCase.me] names the field itself; an endpoint"
                + " cannot join its own namespace. Name another endpoint."),
        Arguments.of(CycleTestCase.class,
            "@SharedNetworkWith forms a cycle: a -> b -> c -> a; someone must own a namespace. Give one endpoint"
                + " of the cycle its own mode (@NoNetwork or @BridgeNetwork)."),
        Arguments.of(InvalidCidrTestCase.class,
            "@BridgeNetwork(subnet = \"172.17.0.0/33\") on [method InvalidCidrTestCase.m()] is not a valid CIDR:"
                + " \"172.17.0.0/33\" has prefix length 33; the maximum is 32. Write it like \"172.17.0.0/16\"."),
        Arguments.of(GarbageCidrTestCase.class,
            "@BridgeNetwork(subnet = \"docker0\") on [method GarbageCidrTestCase.m()] is not a valid CIDR:"
                + " \"docker0\" is not an IPv4 address (expected a.b.c.d). Write it like \"172.17.0.0/16\"."),
        Arguments.of(NonNetworkCidrTestCase.class,
            "@BridgeNetwork(subnet = \"172.17.0.3/16\") on [method NonNetworkCidrTestCase.m()] is not a network"
                + " address: host bits are set. Use \"172.17.0.0/16\"."),
        Arguments.of(GatewayOutsideTestCase.class,
            "@BridgeNetwork(gateway = \"10.2.0.1\") on [method GatewayOutsideTestCase.m()] lies outside the subnet"
                + " 10.1.0.0/24; pick a host address inside it, e.g. 10.1.0.1."),
        Arguments.of(AddressTakenTwiceTestCase.class,
            "@BridgeNetwork(address = \"172.17.0.9\") on [field AddressTakenTwiceTestCase.web] is already taken by"
                + " [field AddressTakenTwiceTestCase.api]; two endpoints cannot hold one address. Give one of them"
                + " another address, or leave address empty."),
        Arguments.of(WrongTypeTestCase.class,
            "[field WrongTypeTestCase.web] has type String, but a network mode annotation on a field declares an"
                + " endpoint and needs type NetworkNamespace. Declare it as: NetworkNamespace web;"),
        Arguments.of(FinalFieldTestCase.class,
            "[field FinalFieldTestCase.web] is final, but nsunit assigns endpoint fields. Remove the final modifier."),
        Arguments.of(PoolExhaustedTestCase.class,
            "the address pool of 10.99.0.0/30 is exhausted before the first test: it has room for 1 endpoint(s),"
                + " but this class keeps 2 alive at once. Use a larger subnet in @BridgeNetwork(subnet = ...)."),
        Arguments.of(StaticSharesPerTestTestCase.class,
            "@SharedNetworkWith(\"perTest\") on [field StaticSharesPerTestTestCase.forAll] is static but names the"
                + " per-test endpoint [field StaticSharesPerTestTestCase.perTest]; a static endpoint lives for all"
                + " tests and can only share with another static one. Make both static, or neither."),
        Arguments.of(ContainerWithoutInteropTestCase.class,
            "@SharedNetworkWith(\"redis\") on [method ContainerWithoutInteropTestCase.m()] names"
                + " [field ContainerWithoutInteropTestCase.redis] of type RedisContainer, which is not an endpoint:"
                + " it has no network mode annotation, and no NamespaceResolver on the test classpath opens a"
                + " RedisContainer. For a Testcontainers container, add the test dependency"
                + " dev.nsunit:nsunit-testcontainers (same version as nsunit-extension); for an endpoint of your own,"
                + " declare it as a NetworkNamespace field with a mode annotation."),
        Arguments.of(BadMtuTestCase.class,
            "@BridgeNetwork(mtu = 20) on [method BadMtuTestCase.m()] is outside 68..65535, the MTUs a veth"
                + " accepts; Docker's default is 1500."),
        Arguments.of(WholeAddressSpaceTestCase.class,
            "@BridgeNetwork(subnet = \"0.0.0.0/0\") on [method WholeAddressSpaceTestCase.m()] overlaps 0.0.0.0/8,"
                + " the \"this network\" range (RFC 791), and 9 more special-purpose ranges" + SPECIAL
                + "\"10.0.0.0/8\"."),
        Arguments.of(LoopbackSubnetTestCase.class,
            "@BridgeNetwork(subnet = \"127.0.0.0/8\") on [method LoopbackSubnetTestCase.m()] overlaps 127.0.0.0/8,"
                + " the loopback range (RFC 1122)" + SPECIAL + "\"10.0.0.0/8\"."),
        Arguments.of(LinkLocalSubnetTestCase.class,
            "@BridgeNetwork(subnet = \"169.254.0.0/16\") on [method LinkLocalSubnetTestCase.m()] overlaps"
                + " 169.254.0.0/16, the link-local range (RFC 3927)" + SPECIAL + "\"172.18.0.0/16\"."),
        Arguments.of(MulticastSubnetTestCase.class,
            "@BridgeNetwork(subnet = \"239.1.2.0/24\") on [field MulticastSubnetTestCase.web] overlaps 224.0.0.0/4,"
                + " the multicast range (RFC 5771)" + SPECIAL + "\"172.18.0.0/24\"."),
        Arguments.of(ThisNetworkSubnetTestCase.class,
            "@BridgeNetwork(subnet = \"0.0.0.0/8\") on [method ThisNetworkSubnetTestCase.m()] overlaps 0.0.0.0/8,"
                + " the \"this network\" range (RFC 791)" + SPECIAL + "\"10.0.0.0/8\"."),
        Arguments.of(BroadcastSubnetTestCase.class,
            "@BridgeNetwork(subnet = \"255.255.255.252/30\") on [method BroadcastSubnetTestCase.m()] overlaps"
                + " 240.0.0.0/4, the reserved range (RFC 1112) with the limited broadcast address 255.255.255.255"
                + SPECIAL + "\"172.18.0.0/30\"."),
        Arguments.of(OverlappingSubnetsTestCase.class,
            "@BridgeNetwork(subnet = \"10.0.0.0/16\") on [method OverlappingSubnetsTestCase.m()] overlaps"
                + " @BridgeNetwork(subnet = \"10.0.1.0/24\") on [field OverlappingSubnetsTestCase.web]; each subnet"
                + " is a bridge of its own, and two bridges cannot share addresses (Docker refuses overlapping"
                + " networks too). Use the same subnet for both, or subnets that do not overlap."),
        Arguments.of(DefaultSubnetOverlapTestCase.class,
            "@BridgeNetwork(subnet = \"172.17.0.0/16\") on [field DefaultSubnetOverlapTestCase.web] overlaps"
                + " @BridgeNetwork(subnet = \"172.17.5.0/24\") on [field DefaultSubnetOverlapTestCase.api]; each"
                + " subnet is a bridge of its own, and two bridges cannot share addresses (Docker refuses overlapping"
                + " networks too). Use the same subnet for both, or subnets that do not overlap."),
        Arguments.of(TwoGatewaysForOneSubnetTestCase.class,
            "@BridgeNetwork(subnet = \"10.3.0.0/24\") on [field TwoGatewaysForOneSubnetTestCase.web] has gateway"
                + " 10.3.0.254, but on [method TwoGatewaysForOneSubnetTestCase.m()] gateway 10.3.0.1; one subnet is"
                + " one bridge, and a bridge has one address. Give both the same gateway."),
        Arguments.of(NetworkAddressTestCase.class,
            "@BridgeNetwork(address = \"172.17.0.0\") on [method NetworkAddressTestCase.m()] is the network or"
                + " broadcast address of 172.17.0.0/16; pick a host address that is not the gateway, e.g."
                + " 172.17.0.2."),
        Arguments.of(AddressOutsideTestCase.class,
            "@BridgeNetwork(address = \"10.2.0.5\") on [method AddressOutsideTestCase.m()] lies outside the subnet"
                + " 10.1.0.0/24; pick a host address inside it that is not the gateway, e.g. 10.1.0.2."),
        Arguments.of(GatewayAsAddressTestCase.class,
            "@BridgeNetwork(address = \"10.1.0.1\") on [method GatewayAsAddressTestCase.m()] is the gateway's"
                + " address; pick another host of 10.1.0.0/24, e.g. 10.1.0.2."),
        Arguments.of(BroadcastAddressBesideAMovedGatewayTestCase.class,
            "@BridgeNetwork(address = \"10.1.0.3\") on [method BroadcastAddressBesideAMovedGatewayTestCase.m()] is"
                + " the network or broadcast address of 10.1.0.0/30; pick a host address that is not the gateway,"
                + " e.g. 10.1.0.1."),
        Arguments.of(CycleAcrossNestingTestCase.class,
            "@SharedNetworkWith forms a cycle: a -> b -> a; someone must own a namespace. Give one endpoint"
                + " of the cycle its own mode (@NoNetwork or @BridgeNetwork)."),
        Arguments.of(LongCycleAcrossNestingTestCase.class,
            "@SharedNetworkWith forms a cycle: a -> c -> b -> a; someone must own a namespace. Give one endpoint"
                + " of the cycle its own mode (@NoNetwork or @BridgeNetwork)."),
        Arguments.of(SharesANestedEndpointTestCase.class,
            "@SharedNetworkWith(\"db\") on [field SharesANestedEndpointTestCase.web] names [field Inner.db], an"
                + " endpoint of the @Nested class Inner, which SharesANestedEndpointTestCase cannot see: an enclosing"
                + " class's endpoints are built before its nested classes' exist. Declare db in"
                + " SharesANestedEndpointTestCase, or move web into Inner."));
  }

  @BeforeAll
  static void createTheLabSoItsLinksCanBeCounted() {
    Lab.get();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("misuses")
  void misuseFailsWithAClearMessageBeforeAnythingIsBuilt(Class<?> fixture, String message) {
    List<String> labBefore = labLinks();
    int fdsBefore = openFds();
    List<Throwable> failures = failures(fixture);
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).isExactlyInstanceOf(ExtensionConfigurationException.class).hasMessage(message);
    assertNoNewLabLinks(labBefore);
    assertThat(openFds()).isEqualTo(fdsBefore);
  }

  static class ParameterWithoutModeTestCase {
    @NoNetwork static NetworkNamespace registersTheExtension;

    @Test
    void m(NetworkNamespace ns) {}
  }

  @Test
  void aNamespaceParameterWithoutAModeSaysWhatToAdd() {
    List<Throwable> failures = failures(ParameterWithoutModeTestCase.class);
    assertThat(failures).singleElement().isInstanceOf(ParameterResolutionException.class);
    assertThat(failures.get(0)).hasMessage("parameter ns of m() is a NetworkNamespace, but the test has no network"
        + " mode. Annotate the test method or class with @NoNetwork, @BridgeNetwork, @HostNetwork or"
        + " @SharedNetworkWith (lifecycle methods such as @BeforeAll get none: use a static endpoint field), or"
        + " mark the parameter @LabHost.");
  }

  static List<Throwable> failures(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().allEvents().failed()
        .stream().map(ConfigurationErrorTests::throwable).collect(Collectors.toList());
  }

  static Throwable throwable(Event e) {
    return e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  static List<String> labLinks() {
    return Lab.get().netns().rtnetlink().links().stream().map(Link::name).sorted().collect(Collectors.toList());
  }

  /**
   * Nothing was built in the lab since {@code before}: no link that was not there then. Links may
   * have gone meanwhile: earlier tests' endpoints leave the lab lazily, when the kernel tears their
   * namespaces down.
   */
  static void assertNoNewLabLinks(List<String> before) {
    assertThat(labLinks()).as("lab links (before: %s)", before).isSubsetOf(before);
  }

  /**
   * Descriptors that would betray a namespace being built: namespace files and sockets (netlink
   * sockets live in the namespace they were opened in). Jars the class loader opens lazily, and
   * the namespace maker's handle on the JVM's own namespace, are not evidence and not counted.
   */
  static int openFds() {
    String own = "net:[" + Netns.currentThreadNamespaceInode() + "]";
    int n = 0;
    for (String fd : new File("/proc/self/fd").list()) {
      try {
        String target = Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString();
        if ((target.startsWith("net:[") && !target.equals(own)) || target.startsWith("socket:[")) {
          n++;
        }
      } catch (IOException e) {
        // closed meanwhile (the listing's own descriptor): not evidence either
      }
    }
    return n;
  }
}
