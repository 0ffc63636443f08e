package dev.nsunit.assertions;

import dev.nsunit.NetworkNamespace;
import org.assertj.core.api.AbstractSoftAssertions;

/**
 * Soft assertions on network namespaces: every failure is collected, including failures after
 * navigating to an interface, a route, a listener or a probe result, and {@link #assertAll()}
 * reports them together.
 *
 * <pre>{@code
 * NetworkSoftAssertions softly = new NetworkSoftAssertions();
 * softly.assertThat(ns).hasInterface("eth0").hasMtu(9000)       // fails: mtu is 1500
 *     .and().hasDefaultRoute().via("172.17.0.254");             // fails too: via 172.17.0.1
 * softly.assertAll();                                           // reports both
 * }</pre>
 *
 * Or with AssertJ's helpers: {@code SoftAssertionsProvider.assertSoftly(NetworkSoftAssertions.class,
 * softly -> ...)}, and JUnit 5's {@code SoftAssertionsExtension} with a {@code
 * @InjectSoftAssertions NetworkSoftAssertions} field.
 */
public class NetworkSoftAssertions extends AbstractSoftAssertions {

  /** Creates an empty collector. */
  public NetworkSoftAssertions() {}

  /** Like {@link NetworkAssertions#assertThat(NetworkNamespace)}, collecting failures. */
  public NamespaceAssert assertThat(NetworkNamespace namespace) {
    NamespaceAssert softly = proxy(NamespaceAssert.class, NetworkNamespace.class, namespace);
    softly.context().soft = this;
    softly.context().root = softly;
    return softly;
  }
}
