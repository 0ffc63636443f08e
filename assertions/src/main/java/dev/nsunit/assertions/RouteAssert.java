package dev.nsunit.assertions;

import static dev.nsunit.assertions.error.ShouldHaveRouteProperty.shouldHaveRouteProperty;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.Route;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Assertions on one route, reached with {@link NamespaceAssert#hasDefaultRoute()},
 * {@link NamespaceAssert#hasIpv6DefaultRoute()} or {@link NamespaceAssert#hasRoute(String)}. The
 * names follow {@code ip route}: {@code via}, {@code dev}, {@code scope}, {@code src}.
 */
public class RouteAssert extends AbstractNetworkAssert<RouteAssert, Route> {

  /** Prefer {@link NamespaceAssert#hasRoute}; public for AssertJ's soft-assertion proxies. */
  public RouteAssert(Route route) {
    super(route, RouteAssert.class);
  }

  private RouteAssert check(boolean ok, String property, Object expected, Object found) {
    if (!ok) {
      report(shouldHaveRouteProperty(context().name, actual, property, expected, found, context().snapshot));
    }
    return myself;
  }

  private static String text(Optional<InetAddress> a) {
    return a.map(InetAddresses::format).orElse("none");
  }

  /**
   * Verifies the route's gateway ({@code via}).
   *
   * <pre>{@code
   * // passes for a bridge endpoint
   * assertThat(web).hasDefaultRoute().via("172.17.0.1");
   * // fails
   * assertThat(web).hasDefaultRoute().via("172.17.0.254");
   * }</pre>
   */
  public RouteAssert via(String gateway) {
    InetAddress expected = InetAddresses.parse(gateway);
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.gateway().filter(expected::equals).isPresent(), "via", gateway, text(actual.gateway()));
  }

  /**
   * Verifies the route's output interface ({@code dev}).
   *
   * <pre>{@code
   * // passes
   * assertThat(web).hasRoute("172.17.0.0/16").dev("eth0");
   * // fails
   * assertThat(web).hasRoute("172.17.0.0/16").dev("eth1");
   * }</pre>
   */
  public RouteAssert dev(String device) {
    Objects.requireNonNull(device, "device");
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.dev().filter(device::equals).isPresent(), "dev", device, actual.dev().orElse("none"));
  }

  /**
   * Verifies the route's scope as {@code ip route} names it: {@code global}, {@code link},
   * {@code host}...
   *
   * <pre>{@code
   * // passes: a subnet route is scope link
   * assertThat(web).hasRoute("172.17.0.0/16").scope("link");
   * // fails: a route via a gateway is scope global
   * assertThat(web).hasDefaultRoute().scope("link");
   * }</pre>
   */
  public RouteAssert scope(String scope) {
    Objects.requireNonNull(scope, "scope");
    if (nothingToCheck()) {
      return myself;
    }
    return check(scope.toLowerCase(Locale.ROOT).equals(actual.scopeName()), "scope", scope, actual.scopeName());
  }

  /**
   * Verifies the route's preferred source address ({@code src}).
   *
   * <pre>{@code
   * // passes: the kernel's subnet route carries the interface's address
   * assertThat(web).hasRoute("172.17.0.0/16").src("172.17.0.2");
   * // fails
   * assertThat(web).hasRoute("172.17.0.0/16").src("172.17.0.3");
   * }</pre>
   */
  public RouteAssert src(String source) {
    InetAddress expected = InetAddresses.parse(source);
    if (nothingToCheck()) {
      return myself;
    }
    return check(actual.preferredSource().filter(expected::equals).isPresent(), "src", source, text(actual.preferredSource()));
  }
}
