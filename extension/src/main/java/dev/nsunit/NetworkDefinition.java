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
 */
record NetworkDefinition(String name, IpPrefix subnet, InetAddress gateway, boolean internal) {

  /**
   * Parses and checks the settings.
   *
   * @param subnetText a CIDR, or null or empty for any free subnet
   * @param gatewayText an address, or null or empty for the subnet's first host
   * @throws IllegalArgumentException naming the setting, the rule and the fix
   */
  static NetworkDefinition check(String name, String subnetText, String gatewayText, boolean internal) {
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
    if (anySubnet) {
      return new NetworkDefinition(name, null, null, internal);
    }
    IpPrefix subnet;
    try {
      subnet = IpPrefix.parse(subnetText);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " is not a valid CIDR: "
          + e.getMessage() + ". Write it like \"172.18.0.0/16\".", e);
    }
    if (subnet.isIpv6()) {
      throw new IllegalArgumentException("subnet \"" + subnetText + "\" of network " + name + " is IPv6; networks take"
          + " an IPv4 subnet for now, e.g. \"172.18.0.0/16\".");
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
    return new NetworkDefinition(name, subnet, gateway, internal);
  }
}
