package dev.nsunit;

import dev.nsunit.model.InetAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
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
  private final Optional<InetAddress> ipv6Address;

  NetworkAttachment(String network, String interfaceName, InetAddress address, int prefixLength, InetAddress gateway,
      List<String> aliases, Optional<InetAddress> ipv6Address) {
    this.ipv6Address = ipv6Address;
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

  /** The endpoint's IPv6 address on a dual-stack network ({@code GlobalIPv6Address}); empty on IPv4-only ones. */
  public Optional<InetAddress> ipv6Address() {
    return ipv6Address;
  }

  /** The other names the endpoint has on this network ({@code --network-alias}), maybe none. */
  public List<String> aliases() {
    return aliases;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NetworkAttachment a && a.network.equals(network) && a.interfaceName.equals(interfaceName)
        && a.address.equals(address) && a.prefixLength == prefixLength && a.gateway.equals(gateway)
        && a.aliases.equals(aliases) && a.ipv6Address.equals(ipv6Address);
  }

  @Override
  public int hashCode() {
    return Objects.hash(network, interfaceName, address, prefixLength, gateway, aliases, ipv6Address);
  }

  /** Like {@code backend: eth1 172.18.0.2/16 via 172.18.0.1 aliases [db]}, with {@code fd00:18::2} when dual-stack. */
  @Override
  public String toString() {
    return network + ": " + interfaceName + " " + InetAddresses.format(address) + "/" + prefixLength + " via "
        + InetAddresses.format(gateway) + ipv6Address.map(a -> " " + InetAddresses.format(a)).orElse("")
        + (aliases.isEmpty() ? "" : " aliases " + aliases);
  }
}
