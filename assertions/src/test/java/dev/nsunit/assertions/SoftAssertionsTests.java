package dev.nsunit.assertions;

import static dev.nsunit.testing.Ip.ip;
import static dev.nsunit.assertions.error.ShouldHaveInterface.shouldHaveInterface;
import static dev.nsunit.assertions.error.ShouldHaveInterfaceProperty.shouldHaveInterfaceProperty;
import static dev.nsunit.assertions.error.ShouldHaveRoute.shouldHaveRoute;
import static dev.nsunit.assertions.error.ShouldHaveRouteProperty.shouldHaveRouteProperty;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.ProbeResult.Reason;
import dev.nsunit.model.Route;
import org.assertj.core.api.SoftAssertionsProvider;
import org.assertj.core.error.AssertJMultipleFailuresError;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Soft assertions keep collecting across navigation: namespace, interface, route, listener, probe. */
class SoftAssertionsTests {
  private static TwoHosts hosts;

  @BeforeAll
  static void topology() {
    hosts = new TwoHosts();
    ip(hosts.a.path(), "route", "add", "default", "via", "192.0.2.2");
  }

  @AfterAll
  static void cleanup() {
    hosts.close();
  }

  /** Soft assertions append the failing line ("at Foo.bar(Foo.java:12)"); drop it to compare with the factory. */
  private static String withoutSourceLine(Throwable error) {
    return error.getMessage().replaceFirst("\\Rat [^\\r\\n]*\\)$", "");
  }

  @Test
  void twoFailuresAcrossNavigationAreBothCollected() {
    NetworkSoftAssertions softly = new NetworkSoftAssertions();
    NamespaceAssert a = softly.assertThat(hosts.a);
    a.hasInterface("eth0").hasMtu(9000)
        .and().hasDefaultRoute().via("192.0.2.254");

    NetworkSnapshot s = a.snapshot();
    Route def = s.routes().stream().filter(r -> r.isDefault() && !r.ipv6()).findFirst().orElseThrow();
    assertThat(softly.errorsCollected()).extracting(SoftAssertionsTests::withoutSourceLine).containsExactly(
        shouldHaveInterfaceProperty(hosts.a.toString(), "eth0", "mtu", 9000, 1500, s).create(),
        shouldHaveRouteProperty(hosts.a.toString(), def, "via", "192.0.2.254", "192.0.2.2", s).create());
    assertThatThrownBy(softly::assertAll).isInstanceOf(AssertJMultipleFailuresError.class)
        .hasMessageContaining("to have mtu").hasMessageContaining("to have via");
  }

  @Test
  void aFailedNavigationIsOneFailureNotACascade() {
    NetworkSoftAssertions softly = new NetworkSoftAssertions();
    try (NetworkNamespace none = NetworkNamespace.create("none")) {
      NamespaceAssert a = softly.assertThat(none);
      a.hasInterface("eth0").isUp().hasMtu(1500).withAddressIn("172.17.0.0/16")
          .and().hasDefaultRoute().via("172.17.0.1").dev("eth0")
          .and().hasInterface("lo").hasMtu(1500);
      NetworkSnapshot s = a.snapshot();
      assertThat(softly.errorsCollected()).extracting(SoftAssertionsTests::withoutSourceLine).containsExactly(
          shouldHaveInterface(none.toString(), "eth0", s).create(),
          shouldHaveRoute(none.toString(), "default", s.routes(), s).create(),
          shouldHaveInterfaceProperty(none.toString(), "lo", "mtu", 1500, 65536, s).create());
    }
  }

  @Test
  void everyKindOfNestedAssertCollects() {
    NetworkSoftAssertions softly = new NetworkSoftAssertions();
    try (NetworkNamespace none = NetworkNamespace.create("none")) {
      softly.assertThat(hosts.a)
          .cannotReach("192.0.2.2")                        // 1: it can
          .and().cannotReach("192.0.2.2", 9).withReason(Reason.TIMED_OUT) // 2: refused, not timed out
          .and().isListeningOn(9)                          // 3: nothing there
          .and().sharesNetworkStackWith(none);             // 4: different namespaces
      softly.assertThat(none).hasInterface("lo").isEqualTo(null); // 5: AssertJ's own check, via the proxy
    }
    assertThat(softly.errorsCollected()).hasSize(5);
  }

  @Test
  void passingSoftChainCollectsNothing() {
    SoftAssertionsProvider.assertSoftly(NetworkSoftAssertions.class, softly -> softly.assertThat(hosts.a)
        .hasInterface("eth0").isUp().isVeth().hasAddress("192.0.2.1/24")
        .and().hasDefaultRoute().via("192.0.2.2")
        .and().canReach("192.0.2.2")
        .cannotReach("192.0.2.2", 9).withReason(Reason.CONNECTION_REFUSED));
  }
}
