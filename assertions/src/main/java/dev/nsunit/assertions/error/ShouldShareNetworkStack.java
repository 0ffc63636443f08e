package dev.nsunit.assertions.error;

import dev.nsunit.model.NamespaceId;

/** Failures about namespace identity: Docker's container mode and host mode. */
public final class ShouldShareNetworkStack extends NetworkErrorMessageFactory {

  private ShouldShareNetworkStack(String format, Object... args) {
    super(format, "", null, args);
  }

  /** Two namespaces that should be one kernel object are not. */
  public static ShouldShareNetworkStack shouldShareNetworkStack(String namespace, NamespaceId id, String other,
      NamespaceId otherId) {
    return new ShouldShareNetworkStack("%nExpecting %s (%s)%nto share its network stack with %s (%s)%n"
        + "but they are different namespaces", raw(namespace), raw(id.toString()), raw(other), raw(otherId.toString()));
  }

  /** Two namespaces that should be distinct are one kernel object. */
  public static ShouldShareNetworkStack shouldNotShareNetworkStack(String namespace, String other, NamespaceId id) {
    return new ShouldShareNetworkStack("%nExpecting %s%nnot to share its network stack with %s%nbut both are %s",
        raw(namespace), raw(other), raw(id.toString()));
  }

  /** The namespace should (or should not) be the JVM's own. */
  public static ShouldShareNetworkStack shouldBeHostNamespace(String namespace, NamespaceId id, NamespaceId hostId,
      boolean expected) {
    return new ShouldShareNetworkStack("%nExpecting %s (%s)%n" + (expected ? "to be" : "not to be")
        + " the host's network namespace (%s)", raw(namespace), raw(id.toString()), raw(hostId.toString()));
  }
}
