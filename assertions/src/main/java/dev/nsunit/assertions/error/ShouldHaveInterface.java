package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;
import java.util.List;

/** Failures about which interfaces a namespace has. */
public final class ShouldHaveInterface extends NetworkErrorMessageFactory {

  private ShouldHaveInterface(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /** The namespace has no interface called {@code name}. */
  public static ShouldHaveInterface shouldHaveInterface(String namespace, String name, NetworkSnapshot snapshot) {
    return new ShouldHaveInterface("%nExpecting %s%nto have interface:%n  %s%nbut it has only:%n  %s",
        namespace, snapshot, raw(namespace), name, snapshot.linkNames());
  }

  /** Some of {@code expected} are missing. */
  public static ShouldHaveInterface shouldHaveInterfaces(String namespace, List<String> expected,
      List<String> missing, NetworkSnapshot snapshot) {
    return new ShouldHaveInterface("%nExpecting %s%nto have interfaces:%n  %s%nbut these are missing:%n  %s%nit has:%n  %s",
        namespace, snapshot, raw(namespace), expected, missing, snapshot.linkNames());
  }

  /** The namespace's interfaces are not exactly {@code expected}. */
  public static ShouldHaveInterface shouldHaveExactlyInterfaces(String namespace, List<String> expected,
      List<String> missing, List<String> unexpected, NetworkSnapshot snapshot) {
    return new ShouldHaveInterface("%nExpecting %s%nto have exactly the interfaces:%n  %s%nbut it has:%n  %s%n"
        + "missing:%n  %s%nunexpected:%n  %s",
        namespace, snapshot, raw(namespace), expected, snapshot.linkNames(), missing, unexpected);
  }

  /** The namespace has more than a loopback interface (Docker's {@code --network none}). */
  public static ShouldHaveInterface shouldHaveOnlyLoopback(String namespace, List<String> others,
      NetworkSnapshot snapshot) {
    return new ShouldHaveInterface("%nExpecting %s%nto have only a loopback interface%nbut it also has:%n  %s",
        namespace, snapshot, raw(namespace), others);
  }
}
