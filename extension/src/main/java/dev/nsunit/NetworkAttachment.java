package dev.nsunit;

import dev.nsunit.model.InetAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One interface of an endpoint on a {@link LabNetwork}: what {@code docker inspect} lists under
 * {@code NetworkSettings.Networks}. Immutable; read it from {@link NetworkNamespace#networks()}
 * or from {@link LabNetwork#connect}.
 */
public final class NetworkAttachment {
  private final String network;
  private final String interfaceName;
  private final InetAddress address;
  private final int prefixLength;
  private final InetAddress gateway;
  private final List<String> aliases;

  NetworkAttachment(String network, String interfaceName, InetAddress address, int prefixLength, InetAddress gateway,
      List<String> aliases) {
    this.network = network;
    this.interfaceName = interfaceName;
    this.address = address;
    this.prefixLength = prefixLength;
    this.gateway = gateway;
    this.aliases = List.copyOf(aliases);
  }

  /** The network's name, e.g. {@code backend} ({@code bridge} for Docker's default network). */
  public String network() {
    return network;
  }

  /** The interface in the endpoint: {@code eth0}, {@code eth1}, ... in the order of connection. */
  public String interfaceName() {
    return interfaceName;
  }

  /** The endpoint's IPv4 address on the network ({@code docker inspect}'s {@code IPAddress}). */
  public InetAddress address() {
    return address;
  }

  /** The subnet's prefix length ({@code IPPrefixLen}), e.g. 16. */
  public int prefixLength() {
    return prefixLength;
  }

  /** The network's gateway, the lab host's address on it. */
  public InetAddress gateway() {
    return gateway;
  }

  /** The other names the endpoint has on this network ({@code --network-alias}), maybe none. */
  public List<String> aliases() {
    return aliases;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkAttachment a && a.network.equals(network) && a.interfaceName.equals(interfaceName)
        && a.address.equals(address) && a.prefixLength == prefixLength && a.gateway.equals(gateway)
        && a.aliases.equals(aliases);
  }

  @Override
  public int hashCode() {
    return Objects.hash(network, interfaceName, address, prefixLength, gateway, aliases);
  }

  /** Like {@code backend: eth1 172.18.0.2/16 via 172.18.0.1 aliases [db]}. */
  @Override
  public String toString() {
    return network + ": " + interfaceName + " " + InetAddresses.format(address) + "/" + prefixLength + " via "
        + InetAddresses.format(gateway) + (aliases.isEmpty() ? "" : " aliases " + aliases);
  }
}
