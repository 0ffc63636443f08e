package dev.nsunit.assertions;

import dev.nsunit.NetworkNamespace;
import java.time.Duration;

/**
 * Entry point of the fluent assertions on network namespaces.
 *
 * <pre>{@code
 * import static dev.nsunit.assertions.NetworkAssertions.assertThat;
 *
 * assertThat(web)
 *     .hasInterface("eth0").isUp().hasAddress("172.17.0.2/16")
 *     .and().hasDefaultRoute().via("172.17.0.1")
 *     .and().canReach("172.17.0.3", 6379)
 *     .isListeningOn(8080);
 * }</pre>
 *
 * For soft assertions, use {@link NetworkSoftAssertions}.
 */
public final class NetworkAssertions {
  /**
   * How long a reachability probe waits for an answer unless {@link NamespaceAssert#withTimeout}
   * says otherwise: {@value #DEFAULT_PROBE_TIMEOUT_MILLIS} ms. Long enough for a peer on a veth or
   * bridge, short enough that a failing test does not hang; note that the kernel gives up on ARP
   * after about 3 s, so an absent neighbour reads as a timeout rather than "No route to host"
   * unless the timeout is longer.
   */
  public static final Duration DEFAULT_PROBE_TIMEOUT;

  /** {@link #DEFAULT_PROBE_TIMEOUT} in milliseconds. */
  public static final long DEFAULT_PROBE_TIMEOUT_MILLIS = 2_000;

  static {
    DEFAULT_PROBE_TIMEOUT = Duration.ofMillis(DEFAULT_PROBE_TIMEOUT_MILLIS);
  }

  private NetworkAssertions() {}

  /**
   * Starts assertions on {@code namespace}. Its links, addresses, routes and sockets are read
   * once, now, through netlink; reachability probes run later, each when called.
   */
  public static NamespaceAssert assertThat(NetworkNamespace namespace) {
    return new NamespaceAssert(namespace);
  }
}
