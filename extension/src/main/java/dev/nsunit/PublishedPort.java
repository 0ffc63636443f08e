package dev.nsunit;

import static java.util.Objects.requireNonNull;

import dev.nsunit.model.InetAddresses;
import java.net.InetSocketAddress;

/**
 * A port of an endpoint published on the JVM's loopback, as {@code docker port} shows it: where
 * to connect on the host side, and the endpoint's port behind it.
 *
 * @param hostAddress the loopback address and actual port the proxy listens on
 * @param port the endpoint's port that connections reach
 */
public record PublishedPort(InetSocketAddress hostAddress, int port) {
  /** Checks the values. */
  public PublishedPort {
    requireNonNull(hostAddress, "hostAddress");
  }

  /** As {@code docker ps} shows it: {@code 127.0.0.1:8080->80/tcp}. */
  @Override
  public String toString() {
    return InetAddresses.format(hostAddress.getAddress()) + ":" + hostAddress.getPort() + "->" + port + "/tcp";
  }
}
