package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;

/** An interface exists but one of its properties (state, MTU, MAC, kind, master...) differs. */
public final class ShouldHaveInterfaceProperty extends NetworkErrorMessageFactory {

  private ShouldHaveInterfaceProperty(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /**
   * Interface {@code name} should have {@code property} {@code expected} but has {@code actual}.
   *
   * @param property what was checked, e.g. {@code "mtu"}, {@code "state"}, {@code "kind"}
   */
  public static ShouldHaveInterfaceProperty shouldHaveInterfaceProperty(String namespace, String name,
      String property, Object expected, Object actual, NetworkSnapshot snapshot) {
    return new ShouldHaveInterfaceProperty("%nExpecting interface %s in %s%nto have %s:%n  %s%nbut had:%n  %s",
        namespace, snapshot, name, raw(namespace), raw(property), expected, actual);
  }
}
