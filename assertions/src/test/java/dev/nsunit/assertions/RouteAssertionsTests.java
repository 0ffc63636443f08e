package dev.nsunit.assertions;

import static dev.nsunit.testing.Ip.ip;
import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static dev.nsunit.assertions.error.ShouldHaveRoute.shouldHaveRoute;
import static dev.nsunit.assertions.error.ShouldHaveRoute.shouldNotHaveRoute;
import static dev.nsunit.assertions.error.ShouldHaveRouteProperty.shouldHaveRouteProperty;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.Route;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** An endpoint like Docker's: 172.17.0.2/16 and fd00::2/64 on eth0, default routes via .1 and fd00::1. */
class RouteAssertionsTests {
  private static TwoHosts hosts;
  private static NetworkNamespace ns;
  private static NetworkNamespace none;

  @BeforeAll
  static void topology() {
    hosts = new TwoHosts();
    ns = hosts.a;
    none = NetworkNamespace.create("none");
    ip(ns.path(), "route", "add", "default", "via", "192.0.2.2");
    ip(ns.path(), "-6", "route", "add", "default", "via", "fd00::2");
  }

  @AfterAll
  static void cleanup() {
    try {
      hosts.close();
    } finally {
      none.close();
    }
  }

  private static Route only(NetworkSnapshot s, Predicate<Route> p) {
    List<Route> found = s.routes().stream().filter(p).collect(Collectors.toList());
    Assertions.assertThat(found).hasSize(1);
    return found.get(0);
  }

  @Test
  void defaultRouteWithViaDevAndScope() {
    assertThat(ns).hasDefaultRoute().via("192.0.2.2").dev("eth0").scope("global");

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    Route def = only(s, r -> r.isDefault() && !r.ipv6());
    assertThatThrownBy(() -> a.hasDefaultRoute().via("192.0.2.254"))
        .hasMessage(shouldHaveRouteProperty(ns.toString(), def, "via", "192.0.2.254", "192.0.2.2", s).create());
    assertThatThrownBy(() -> a.hasDefaultRoute().scope("link"))
        .hasMessage(shouldHaveRouteProperty(ns.toString(), def, "scope", "link", "global", s).create());
  }

  @Test
  void subnetRouteWithDevScopeAndSrc() {
    assertThat(ns).hasRoute("192.0.2.0/24").dev("eth0").scope("link").src("192.0.2.1");
    assertThat(ns).hasRoute("192.0.2.7/24").dev("eth0"); // host bits are ignored, like ip route

    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    Route subnet = only(s, r -> !r.ipv6() && !r.isDefault() && r.destination().length() == 24);
    assertThatThrownBy(() -> a.hasRoute("192.0.2.0/24").src("192.0.2.9"))
        .hasMessage(shouldHaveRouteProperty(ns.toString(), subnet, "src", "192.0.2.9", "192.0.2.1", s).create());
    assertThatThrownBy(() -> a.hasRoute("192.0.2.0/24").dev("eth1"))
        .hasMessage(shouldHaveRouteProperty(ns.toString(), subnet, "dev", "eth1", "eth0", s).create());
    assertThatThrownBy(() -> a.hasRoute("192.0.2.0/24").via("192.0.2.2"))
        .hasMessage(shouldHaveRouteProperty(ns.toString(), subnet, "via", "192.0.2.2", "none", s).create());
  }

  @Test
  void missingRouteListsTheRoutes() {
    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    assertThatThrownBy(() -> a.hasRoute("10.0.0.0/8"))
        .hasMessage(shouldHaveRoute(ns.toString(), "10.0.0.0/8", s.routes(), s).create());
    assertThatThrownBy(() -> a.hasRoute("192.0.2.0/25"))
        .hasMessage(shouldHaveRoute(ns.toString(), "192.0.2.0/25", s.routes(), s).create());
  }

  @Test
  void ipv6Routes() {
    assertThat(ns).hasIpv6DefaultRoute().via("fd00::2").dev("eth0")
        .and().hasRoute("fd00::/64").dev("eth0")
        .and().hasRoute("::/0").via("fd00::2");

    NamespaceAssert n = assertThat(none);
    assertThatThrownBy(n::hasIpv6DefaultRoute)
        .hasMessage(shouldHaveRoute(none.toString(), "default (IPv6)", n.snapshot().routes(), n.snapshot()).create());
    NamespaceAssert a = assertThat(ns);
    assertThatThrownBy(() -> a.hasRoute("fd01::/64"))
        .hasMessage(shouldHaveRoute(ns.toString(), "fd01::/64", a.snapshot().routes(), a.snapshot()).create());
  }

  @Test
  void noneModeHasNoDefaultRoute() {
    assertThat(none).hasNoDefaultRoute().hasNoRoute("192.0.2.0/24");

    NamespaceAssert n = assertThat(none);
    assertThatThrownBy(n::hasDefaultRoute)
        .hasMessage(shouldHaveRoute(none.toString(), "default", n.snapshot().routes(), n.snapshot()).create());
  }

  @Test
  void hasNoDefaultRouteFailsWithBothFamiliesDefaults() {
    NamespaceAssert a = assertThat(ns);
    NetworkSnapshot s = a.snapshot();
    List<Route> defaults = s.routes().stream().filter(Route::isDefault).collect(Collectors.toList());
    Assertions.assertThat(defaults).hasSize(2);
    assertThatThrownBy(a::hasNoDefaultRoute)
        .hasMessage(shouldNotHaveRoute(ns.toString(), "default", defaults, s).create());
    List<Route> subnet = s.routes().stream()
        .filter(r -> !r.ipv6() && !r.isDefault() && r.destination().length() == 24).collect(Collectors.toList());
    assertThatThrownBy(() -> a.hasNoRoute("192.0.2.0/24"))
        .hasMessage(shouldNotHaveRoute(ns.toString(), "192.0.2.0/24", subnet, s).create());
  }
}
