package dev.nsunit.internal.ns;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.InetAddress;
import java.util.HashSet;
import java.util.Set;

/**
 * Hands out IPv4 host addresses of one subnet, skipping the network, broadcast and gateway
 * addresses. Allocation is next-fit: a released address is handed out again only after the pool
 * wrapped around, because the kernel tears a dropped namespace down asynchronously and its old
 * interface may still answer ARP for a few milliseconds.
 */
final class AddressPool {
  private final IpPrefix subnet;
  private final InetAddress gateway;
  private final long hosts;
  private final Set<InetAddress> inUse = new HashSet<>();
  private long next = 1;

  AddressPool(IpPrefix subnet, InetAddress gateway) {
    this.subnet = subnet;
    this.gateway = gateway;
    long size = subnet.size();
    this.hosts = size <= 2 ? size : size - 1; // offsets 1 .. size-2 are hosts; size-1 is broadcast
  }

  /** The next free address, starting after the gateway (so the first endpoint gets .2). */
  synchronized InetAddress allocate(String endpoint) {
    for (long tried = 0; tried < hosts; tried++) {
      long offset = next;
      next = next + 1 >= hosts ? 1 : next + 1;
      InetAddress candidate = subnet.offset(offset);
      if (!candidate.equals(gateway) && inUse.add(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("the address pool of " + subnet + " is exhausted: all "
        + inUse.size() + " host addresses are held by live endpoints, so endpoint " + endpoint
        + " cannot get one; use a larger subnet in @BridgeNetwork(subnet = ...) or close endpoints sooner");
  }

  /** Reserves a fixed address. */
  synchronized void reserve(InetAddress address, String endpoint) {
    if (!inUse.add(address)) {
      throw new IllegalStateException("address " + InetAddresses.format(address) + " requested by endpoint "
          + endpoint + " is already held by another live endpoint on " + subnet);
    }
  }

  synchronized void release(InetAddress address) {
    inUse.remove(address);
  }
}
