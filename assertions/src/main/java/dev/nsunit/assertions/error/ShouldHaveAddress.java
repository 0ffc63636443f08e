package dev.nsunit.assertions.error;

import dev.nsunit.model.Address;
import dev.nsunit.model.NetworkSnapshot;
import java.util.List;

/** Failures about the addresses on one interface. */
public final class ShouldHaveAddress extends NetworkErrorMessageFactory {

  private ShouldHaveAddress(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /** Interface {@code name} lacks {@code expected} (e.g. {@code 172.17.0.3/16}). */
  public static ShouldHaveAddress shouldHaveAddress(String namespace, String name, String expected,
      List<Address> found, NetworkSnapshot snapshot) {
    return new ShouldHaveAddress("%nExpecting interface %s in %s%nto have address:%n  %s%nbut it had:%n  %s",
        namespace, snapshot, name, raw(namespace), expected, lines(found));
  }

  /** Interface {@code name} has no address inside {@code subnet}. */
  public static ShouldHaveAddress shouldHaveAddressIn(String namespace, String name, String subnet,
      List<Address> found, NetworkSnapshot snapshot) {
    return new ShouldHaveAddress("%nExpecting interface %s in %s%nto have an address in:%n  %s%nbut it had:%n  %s",
        namespace, snapshot, name, raw(namespace), subnet, lines(found));
  }

  /** Interface {@code name} should have no IPv{@code version} address but has {@code found}. */
  public static ShouldHaveAddress shouldHaveNoAddressOfFamily(String namespace, String name, int version,
      List<Address> found, NetworkSnapshot snapshot) {
    return new ShouldHaveAddress("%nExpecting interface %s in %s%nto have no IPv%s address%nbut it had:%n  %s",
        namespace, snapshot, name, raw(namespace), version, lines(found));
  }
}
