/**
 * AssertJ assertions on network namespaces. Start with
 * {@link dev.nsunit.assertions.NetworkAssertions#assertThat(dev.nsunit.NetworkNamespace)} or
 * {@link dev.nsunit.assertions.NetworkSoftAssertions}; navigate to an interface, a route, a
 * listener or a failed probe, and back with {@code and()}.
 *
 * <p>This package depends on the engine's public model and probes, never on JUnit.
 */
package dev.nsunit.assertions;
