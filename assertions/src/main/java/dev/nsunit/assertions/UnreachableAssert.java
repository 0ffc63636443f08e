package dev.nsunit.assertions;

import static dev.nsunit.assertions.error.ShouldReach.shouldFailBecause;

import dev.nsunit.model.ProbeResult;
import dev.nsunit.model.ProbeResult.Reason;
import java.util.Objects;

/**
 * Assertions on why a probe failed, reached with {@link NamespaceAssert#cannotReach(String)} and
 * its TCP and UDP variants.
 */
public class UnreachableAssert extends AbstractNetworkAssert<UnreachableAssert, ProbeResult> {

  /** Prefer {@link NamespaceAssert#cannotReach}; public for AssertJ's soft-assertion proxies. */
  public UnreachableAssert(ProbeResult result) {
    super(result, UnreachableAssert.class);
  }

  /**
   * Verifies why the probe failed.
   *
   * <pre>{@code
   * // passes: --network none has no route ("Network is unreachable")
   * assertThat(NetworkNamespace.create()).cannotReach("172.17.0.1")
   *     .withReason(Reason.NETWORK_UNREACHABLE);
   * // fails: the reason is NETWORK_UNREACHABLE, not TIMED_OUT
   * assertThat(NetworkNamespace.create()).cannotReach("172.17.0.1").withReason(Reason.TIMED_OUT);
   * }</pre>
   */
  public UnreachableAssert withReason(Reason reason) {
    Objects.requireNonNull(reason, "reason");
    if (nothingToCheck()) {
      return myself;
    }
    if (actual.reason().orElse(null) != reason) {
      report(shouldFailBecause(context().name, actual, reason, context().snapshot));
    }
    return myself;
  }

  /** The probe's outcome, for checks of your own. */
  public ProbeResult result() {
    return actual;
  }
}
