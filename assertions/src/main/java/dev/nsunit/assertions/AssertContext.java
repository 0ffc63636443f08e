package dev.nsunit.assertions;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.NetworkSnapshot;
import java.time.Duration;

/**
 * What a namespace assert shares with the asserts it navigates to: the namespace, the snapshot
 * every check reads (taken once, by {@code assertThat}), the probe timeout and, in soft mode, the
 * collector of failures.
 */
final class AssertContext {
  final NetworkNamespace namespace;
  final String name;
  final NetworkSnapshot snapshot;
  NetworkSoftAssertions soft;
  Duration timeout = NetworkAssertions.DEFAULT_PROBE_TIMEOUT;
  NamespaceAssert root;

  AssertContext(NetworkNamespace namespace, NetworkSnapshot snapshot) {
    this.namespace = namespace;
    this.name = namespace == null ? "unknown network namespace" : namespace.toString();
    this.snapshot = snapshot;
  }

  /** For asserts built directly rather than by navigation: no namespace, no evidence. */
  static AssertContext detached() {
    return new AssertContext(null, null);
  }
}
