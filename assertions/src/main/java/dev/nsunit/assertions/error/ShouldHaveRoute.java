package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.Route;
import java.util.List;

/** Failures about which routes a namespace has. */
public final class ShouldHaveRoute extends NetworkErrorMessageFactory {

  private ShouldHaveRoute(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /**
   * No route to {@code destination} ({@code "default"}, {@code "default (IPv6)"} or a prefix).
   */
  public static ShouldHaveRoute shouldHaveRoute(String namespace, String destination, List<Route> routes,
      NetworkSnapshot snapshot) {
    return new ShouldHaveRoute("%nExpecting %s%nto have a route to:%n  %s%nbut its routes are:%n  %s",
        namespace, snapshot, raw(namespace), destination, lines(routes));
  }

  /** A route to {@code destination} exists although none should. */
  public static ShouldHaveRoute shouldNotHaveRoute(String namespace, String destination, List<Route> found,
      NetworkSnapshot snapshot) {
    return new ShouldHaveRoute("%nExpecting %s%nto have no route to:%n  %s%nbut it has:%n  %s",
        namespace, snapshot, raw(namespace), destination, lines(found));
  }
}
