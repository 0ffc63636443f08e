package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.netlink.KernelFeatures.Feature;
import dev.nsunit.internal.netlink.LinkRequest;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.Link;
import dev.nsunit.testing.Ip;
import java.util.List;
import java.util.stream.Collectors;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The rest of the misuse catalogue (annotations, CIDRs and names: {@link ConfigurationErrorTests};
 * missing privileges: {@link MissingPrivilegesTests}): an unsupported kernel feature, simulated
 * through the capability probe, and a closed namespace reused. Each fails with its exact
 * exception before any kernel change: our descriptors and the lab's links are unchanged.
 */
class BadInputCatalogueTests {
  private static final String NO_VETH = "this kernel cannot create veth links: RTM_NEWLINK with IFLA_INFO_KIND \"veth\""
      + " fails with EOPNOTSUPP (Unknown device type). Build the kernel with CONFIG_VETH or load the module (modprobe veth).";

  @BeforeAll
  static void createTheLabSoItsLinksCanBeCounted() {
    Lab.get();
  }

  @BridgeNetwork
  static class BridgeTestCase {
    @Test
    void m(NetworkNamespace ns) {}
  }

  @Test
  void bridgeNetworkOnAKernelWithoutVethFailsBeforeBuildingAnything() throws Exception {
    List<String> lab = ConfigurationErrorTests.labLinks();
    int fds = ConfigurationErrorTests.openFds();
    List<Throwable> failures;
    try (AutoCloseable missing = KernelFeatures.simulateMissing(Feature.VETH)) {
      failures = ConfigurationErrorTests.failures(BridgeTestCase.class);
    }
    assertThat(failures).hasSize(1);
    assertThat(failures.get(0)).isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("@BridgeNetwork on [class BridgeTestCase]: " + NO_VETH);
    ConfigurationErrorTests.assertNoNewLabLinks(lab);
    assertThat(ConfigurationErrorTests.openFds()).isEqualTo(fds);
  }

  @ParameterizedTest
  @EnumSource(value = Feature.class, names = {"MACVLAN", "VXLAN", "BRIDGE", "VETH"})
  void aLinkKindTheKernelLacksIsRefusedBeforeTheKernelSeesIt(Feature feature) throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("probe")) {
      var rt = ns.netns().rtnetlink();
      rt.add(LinkRequest.veth("parent0", "parent1"));
      int parent = rt.indexOf("parent0");
      LinkRequest request;
      switch (feature) {
        case MACVLAN: request = LinkRequest.macvlan("x0", parent, LinkRequest.MacvlanMode.BRIDGE); break;
        case VXLAN: request = LinkRequest.vxlan("x0", 42).port(4789); break;
        case BRIDGE: request = LinkRequest.bridge("x0"); break;
        default: request = LinkRequest.veth("x0", "x1"); break;
      }
      List<String> before = names(ns);
      try (AutoCloseable missing = KernelFeatures.simulateMissing(feature)) {
        assertThatThrownBy(() -> rt.add(request)).isExactlyInstanceOf(UnsupportedOperationException.class)
            .hasMessageStartingWith("this kernel cannot create " + feature.kind() + " links:");
      }
      assertThat(names(ns)).isEqualTo(before);
      rt.add(request); // and the real kernel has it: the refusal above was the probe's doing
      assertThat(names(ns)).contains("x0");
    }
  }

  @ParameterizedTest
  @EnumSource(Feature.class)
  void theProbeAgreesWithIproute2(Feature feature) {
    // an fd-held scratch namespace, entered by nsenter: works as root and rootless alike
    try (NetworkNamespace scratch = NetworkNamespace.create("probe oracle")) {
      boolean ip = tryIp(scratch.path().toString(), feature);
      assertThat(KernelFeatures.supported(feature)).isEqualTo(ip);
    }
  }

  private static boolean tryIp(String nsPath, Feature f) {
    switch (f) {
      case VETH: return Ip.succeeds(nsPath, "link", "add", "p0", "type", "veth", "peer", "name", "p1");
      case BRIDGE: return Ip.succeeds(nsPath, "link", "add", "p0", "type", "bridge");
      case MACVLAN:
        Ip.ip(nsPath, "link", "add", "u0", "type", "veth", "peer", "name", "u1");
        return Ip.succeeds(nsPath, "link", "add", "p0", "link", "u0", "type", "macvlan");
      case IPVLAN:
        Ip.ip(nsPath, "link", "add", "u0", "type", "veth", "peer", "name", "u1");
        return Ip.succeeds(nsPath, "link", "add", "p0", "link", "u0", "type", "ipvlan", "mode", "l2");
      default: return Ip.succeeds(nsPath, "link", "add", "p0", "type", "vxlan", "id", "42", "dstport", "4789");
    }
  }

  // ---- a closed namespace reused ----

  static final String CLOSED_SUFFIX = ") is closed; create a new one instead of reusing it";

  @Test
  void aClosedNamespaceRefusesEveryUseWithTheSameMessage() throws Exception {
    NetworkNamespace ns = NetworkNamespace.create("spent");
    ns.sockets(); // opens sock_diag, so the check cannot rely on it being unopened
    ns.close();
    int fds = ConfigurationErrorTests.openFds();
    String message = "network namespace spent (" + ns.id() + CLOSED_SUFFIX;
    List<ThrowingCallable> uses = List.of(ns::links, ns::addresses, ns::routes, ns::neighbours, ns::sockets,
        ns::snapshot, ns::path, ns::executor, () -> ns.link("lo"), () -> ns.call(() -> 1), () -> ns.run(() -> { }),
        () -> ns.start(new ProcessBuilder("true")));
    for (ThrowingCallable use : uses) {
      assertThatThrownBy(use).isExactlyInstanceOf(IllegalStateException.class).hasMessage(message);
    }
    assertThat(ConfigurationErrorTests.openFds()).isEqualTo(fds);
    ns.close(); // still idempotent
  }

  static volatile NetworkNamespace leakedStatic;

  @NoNetwork
  static class LeaksItsStaticEndpointTestCase {
    @NoNetwork static NetworkNamespace web;

    @Test
    void m() {
      leakedStatic = web;
    }
  }

  @Test
  void aStaticEndpointUsedAfterItsClassFinishedSaysItIsClosed() {
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(LeaksItsStaticEndpointTestCase.class)).execute()
        .testEvents().assertStatistics(s -> s.succeeded(1));
    List<String> lab = ConfigurationErrorTests.labLinks();
    assertThatThrownBy(leakedStatic::links).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessage("network namespace endpoint web (" + leakedStatic.id() + CLOSED_SUFFIX);
    assertThatThrownBy(() -> leakedStatic.start(new ProcessBuilder("true"))).isExactlyInstanceOf(IllegalStateException.class);
    ConfigurationErrorTests.assertNoNewLabLinks(lab);
  }

  private static List<String> names(NetworkNamespace ns) {
    return ns.links().stream().map(Link::name).sorted().collect(Collectors.toList());
  }
}
