package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.ProbeResult;

/** Failures of reachability probes run from inside a namespace. */
public final class ShouldReach extends NetworkErrorMessageFactory {

  private ShouldReach(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /** The probe should have reached its target but failed. */
  public static ShouldReach shouldReach(String namespace, ProbeResult result, NetworkSnapshot snapshot) {
    return new ShouldReach("%nExpecting %s%nto succeed from inside %s%nbut it failed: %s%n  %s",
        namespace, snapshot, raw(result.probe()), raw(namespace), raw(result.reason().map(Object::toString).orElse("reached")),
        raw(result.detail().orElse("none")));
  }

  /** The probe should have failed but reached its target. */
  public static ShouldReach shouldNotReach(String namespace, ProbeResult result, NetworkSnapshot snapshot) {
    return new ShouldReach("%nExpecting %s%nto fail from inside %s%nbut it succeeded",
        namespace, snapshot, raw(result.probe()), raw(namespace));
  }

  /** The probe failed, but for another reason than {@code expected}. */
  public static ShouldReach shouldFailBecause(String namespace, ProbeResult result, ProbeResult.Reason expected,
      NetworkSnapshot snapshot) {
    return new ShouldReach("%nExpecting %s%nfrom inside %s%nto fail with:%n  %s%nbut it failed with:%n  %s%n  %s",
        namespace, snapshot, raw(result.probe()), raw(namespace), raw(expected.toString()),
        raw(result.reason().map(Object::toString).orElse("reached")), raw(result.detail().orElse("none")));
  }
}
