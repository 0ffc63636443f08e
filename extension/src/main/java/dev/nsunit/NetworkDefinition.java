package dev.nsunit;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;

/**
 * A user-defined network's settings, checked before anything is built; shared by
 * {@link LabNetwork.Builder} and {@link Network}, which put the element in front of the message.
 *
 * @param subnet the subnet, or null for the first free pool
 * @param gateway the gateway, or null for the subnet's first host
 * @param subnet6 the IPv6 subnet of a dual-stack network, or null for IPv4 only
 */
record NetworkDefinition(String name, IpPrefix subnet, InetAddress gateway, boolean internal, IpPrefix subnet6,
    NetworkDriver driver) {
  private static final IpPrefix LINK_LOCAL6 = IpPrefix.parse("fe80::/10");
  private static final IpPrefix MULTICAST6 = IpPrefix.parse("ff00::/8");

  /** Like {@link #check(String, String, String, boolean, String, NetworkDriver)} for an IPv4-only network. */
  static NetworkDefinition check(String name, String subnetText, String gatewayText, boolean internal) {
    return check(name, subnetText, gatewayText, internal, null, NetworkDriver.BRIDGE);
  }

  /**
   * Checks the IPv6 subnet of a dual-stack network ({@code --ipv6 --subnet}): a network address,
   * not link-local, multicast, loopback or the whole space, and room for a gateway and endpoints.
   */
  private static IpPrefix checkSubnet6(String name, String text) {
    IpPrefix p;
    try {
      p = IpPrefix.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("IPv6 subnet \"" + text + "\" of network " + name + " is not a valid CIDR: "
          + e.getMessage() + ". Write it like \"fd00:18::/64\".", e);
    }
    if (!p.isIpv6()) {
      throw new IllegalArgumentException("IPv6 subnet \"" + text + "\" of network " + name + " is IPv4; the IPv4"
          + " subnet goes in subnet, the IPv6 one here, e.g. \"fd00:18::/64\".");
    }
    if (!p.isNetwork()) {
      throw new IllegalArgumentException("IPv6 subnet \"" + text + "\" of network " + name + " is not a network"
          + " address: host bits are set. Use \"" + new IpPrefix(p.network(), p.length()) + "\".");
    }
    if (p.length() < 8 || p.length() > 120 || p.overlaps(LINK_LOCAL6) || p.overlaps(MULTICAST6)
        || p.contains(InetAddresses.parse("::1"))) {
      throw new IllegalArgumentException("IPv6 subnet \"" + text + "\" of network " + name + " cannot be a network's:"
          + " use a unique local (fd00::/8) or global prefix between /8 and /120 that is not link-local, multicast or"
          + " loopback, e.g. \"fd00:18::/64\".");
    }
    return p;
  }

  /**
   * Parses and checks the settings.
   *
   * @param subnetText a CIDR, or null or empty for any free subnet
   * @param gatewayText an address, or null or empty for the subnet's first host
   * @throws IllegalArgumentException naming the setting, the rule and the fix
   */
  static NetworkDefinition check(String name, String subnetText, String gatewayText, boolean internal,
      String subnet6Text, NetworkDriver driver) {
    if (driver == null) {
      throw new IllegalArgumentException("driver of network " + name + " is null; pass one, e.g. NetworkDriver.BRIDGE");
    }
    if (driver != NetworkDriver.BRIDGE && subnet6Text != null && !subnet6Text.isEmpty()) {
      throw new IllegalArgumentException("network " + name + " is a " + driver.dockerName() + " network with an IPv6"
          + " subnet; dual-stack networks use the bridge driver for now. Drop ipv6Subnet, or use NetworkDriver.BRIDGE.");
    }
    if (!LabNetwork.isValidName(name)) {
      throw new IllegalArgumentException("\"" + name + "\" is not a valid network name: start with a letter or digit,"
          + " then letters, digits, '_', '.' or '-', as Docker requires; e.g. \"backend\".");
    }
    if (name.equals(LabNetwork.DEFAULT_BRIDGE)) {
      throw new IllegalArgumentException("\"bridge\" is Docker's default network, which exists already"
          + " (172.17.0.0/16, the one @BridgeNetwork uses); give your network another name, or use"
          + " LabNetwork.bridge() / @Connect(network = \"bridge\").");
    }
    boolean anySubnet = subnetText == null || subnetText.isEmpty();
    boolean anyGateway = gatewayText == null || gatewayText.isEmpty();
    if (anySubnet && !anyGateway) {
      throw new IllegalArgumentException("network " + name + " has gateway \"" + gatewayText + "\" but no subnet;"
          + " a gateway needs the subnet it belongs to, as Docker's --gateway needs --subnet. Give a subnet too.");
    }
    IpPrefix subnet6 = subnet6Text == null || subnet6Text.isEmpty() ? null : checkSubnet6(name, subnet6Text);
    if (anySubnet) {
      return new NetworkDefinition(name, null, null, internal, subnet6, driver);
    }
    IpPrefix subnet;
    try {
      subnet = IpPrefix.parse(subnetText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " is not a valid CIDR: "
          + e.getMessage() + ". Write it like \"172.18.0.0/16\".", e);
    }
    if (subnet.isIpv6()) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " is IPv6; a network"
          + " takes an IPv4 subnet, e.g. \"172.18.0.0/16\", and an IPv6 one in ipv6Subnet to be dual-stack, as docker"
          + " network create --ipv6 --subnet does.");
    }
    if (!subnet.isNetwork()) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " is not a network"
          + " address: host bits are set. Use \"" + new IpPrefix(subnet.network(), subnet.length()) + "\".");
    }
    List<SpecialPurposeRanges.Range> special = SpecialPurposeRanges.overlapping(subnet);
    if (!special.isEmpty()) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " overlaps "
          + special.get(0) + ", which a network cannot use: addresses there mean something special to every host"
          + " and router. Use a private range instead, e.g. \"" + SpecialPurposeRanges.privateAlternative(subnet.length())
          + "\".");
    }
    if (subnet.length() > 30) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " has no room for a"
          + " gateway and an endpoint; use a prefix of /30 or shorter.");
    }
    InetAddress gateway = subnet.offset(1);
    if (!anyGateway) {
      try {
        gateway = InetAddresses.parse(gatewayText);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("gateway \"" + gatewayText + "\" of network " + name + " is not an IPv4"
            + " address: " + e.getMessage() + ".", e);
      }
      if (gateway instanceof Inet6Address || !subnet.contains(gateway) || gateway.equals(subnet.network())
          || gateway.equals(subnet.broadcast())) {
        throw new IllegalArgumentException("gateway \"" + gatewayText + "\" of network " + name + " is not a host"
            + " address of its subnet " + subnet + "; pick one inside it, e.g. " + InetAddresses.format(subnet.offset(1))
            + ".");
      }
    }
    return new NetworkDefinition(name, subnet, gateway, internal, subnet6, driver);
  }
}
