package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.Route;

/** A route exists but its gateway, device, scope or source differs. */
public final class ShouldHaveRouteProperty extends NetworkErrorMessageFactory {

  private ShouldHaveRouteProperty(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /**
   * The route should have {@code property} ({@code via}, {@code dev}, {@code scope}, {@code src})
   * {@code expected} but has {@code actual}.
   */
  public static ShouldHaveRouteProperty shouldHaveRouteProperty(String namespace, Route route, String property,
      Object expected, Object actual, NetworkSnapshot snapshot) {
    return new ShouldHaveRouteProperty("%nExpecting route%n  %s%nin %s%nto have %s:%n  %s%nbut had:%n  %s",
        namespace, snapshot, raw(route.toString()), raw(namespace), raw(property), expected, actual);
  }
}
