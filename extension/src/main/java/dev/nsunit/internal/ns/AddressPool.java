package dev.nsunit.internal.ns;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Hands out IPv4 host addresses of one subnet, skipping the network, broadcast and gateway
 * addresses, and never an address whose previous holder's port is still on the bridge.
 *
 * <p>An endpoint's namespace is torn down lazily: after its scope ends, the kernel deletes its
 * veth pair tens of milliseconds later (longer under load), and never while something (a leaked
 * socket, a thread) still holds the namespace: a ghost. Until then the old {@code eth0} keeps
 * the address and the address-derived MAC. So a released address is only "departing": it is
 * handed out again once its old lab-side port is gone, which the pool asks the lab
 * ({@code ports}). Allocation is next-fit, so a dynamic address comes round again only after the
 * pool wrapped; a fixed address asked for again waits for its old port, up to
 * {@value #DEPARTURE_WAIT_MILLIS} ms, and fails at once if a socket of this JVM keeps the old
 * namespace alive.
 */
final class AddressPool {
  /** How long a request waits for the previous holder's port to go before it fails. */
  static final long DEPARTURE_WAIT_MILLIS = 10_000;
  private static final long GHOST_CHECK_MILLIS = 250;
  private static final int SWEEP_AT_LEAST = 64;

  /** An address whose endpoint ended; its lab-side port may still be on the bridge. */
  private record Departure(String endpoint, String labVeth, long namespaceCookie, long endedNanos) {}

  private final IpPrefix subnet;
  private final InetAddress gateway;
  private final String bridge;
  private final Predicate<String> portPresent;
  private final long hosts;
  private final Set<InetAddress> inUse = new HashSet<>();
  private final Map<InetAddress, Departure> departing = new HashMap<>();
  private int sweepAt = SWEEP_AT_LEAST;
  private long next = 1;

  /**
   * @param bridge the bridge's name, for messages
   * @param portPresent whether a lab-side veth of that name still exists
   */
  AddressPool(IpPrefix subnet, InetAddress gateway, String bridge, Predicate<String> portPresent) {
    this.subnet = subnet;
    this.gateway = gateway;
    this.bridge = bridge;
    this.portPresent = portPresent;
    long size = subnet.size();
    this.hosts = size <= 2 ? size : size - 1; // offsets 1 .. size-2 are hosts; size-1 is broadcast
  }

  /**
   * The next free address, starting after the gateway (so the first endpoint gets .2). If every
   * free address is still departing, waits for one of them.
   */
  InetAddress allocate(String endpoint) {
    long start = System.nanoTime();
    long nextGhostCheck = 0;
    for (int round = 0; ; round++) {
      synchronized (this) {
        List<Departure> waitingFor = new ArrayList<>();
        for (long tried = 0; tried < hosts; tried++) {
          long offset = next;
          next = next + 1 >= hosts ? 1 : next + 1;
          InetAddress candidate = subnet.offset(offset);
          if (candidate.equals(gateway) || inUse.contains(candidate)) {
            continue;
          }
          if (stillDeparting(candidate)) {
            waitingFor.add(departing.get(candidate));
            continue;
          }
          inUse.add(candidate);
          return candidate;
        }
        long waited = elapsedMillis(start);
        if (waitingFor.isEmpty() || waited > DEPARTURE_WAIT_MILLIS) {
          throw exhausted(endpoint, waitingFor.isEmpty() ? "" : " and " + waitingFor.size()
              + " by ended endpoints whose ports are still on bridge " + bridge + " after " + DEPARTURE_WAIT_MILLIS
              + " ms (something still holds their namespaces)");
        }
        if (waited >= nextGhostCheck) {
          List<Long> pins = new ArrayList<>();
          int ghosts = 0;
          for (Departure d : waitingFor) {
            List<Long> p = JvmSockets.inNamespace(d.namespaceCookie);
            ghosts += p.isEmpty() ? 0 : 1;
            pins.addAll(p);
          }
          if (ghosts == waitingFor.size()) {
            throw exhausted(endpoint, " and " + ghosts + " by ghosts of ended endpoints, kept alive by sockets of this"
                + " JVM (" + socketList(pins) + ") that the tests which used them left open");
          }
          nextGhostCheck = waited + GHOST_CHECK_MILLIS;
        }
      }
      pause(round, endpoint);
    }
  }

  private IllegalStateException exhausted(String endpoint, String departingPart) {
    return new IllegalStateException("the address pool of " + subnet + " is exhausted: " + inUse.size()
        + " host addresses are held by live endpoints" + departingPart + ", so endpoint " + endpoint
        + " cannot get one; use a larger subnet in @BridgeNetwork(subnet = ...) or close endpoints sooner");
  }

  private static String socketList(List<Long> inodes) {
    StringBuilder sb = new StringBuilder();
    for (Long inode : inodes) {
      sb.append(sb.length() == 0 ? "" : ", ").append("socket:[").append(inode).append(']');
    }
    return sb.toString();
  }

  /**
   * Reserves a fixed address, waiting while its previous holder's port is still on the bridge.
   *
   * @throws IllegalStateException if a live endpoint holds it, or the previous holder is a ghost
   */
  void reserve(InetAddress address, String endpoint) {
    long start = System.nanoTime();
    long nextGhostCheck = 0;
    for (int round = 0; ; round++) {
      synchronized (this) {
        if (inUse.contains(address)) {
          throw new IllegalStateException("address " + InetAddresses.format(address) + " requested by endpoint "
              + endpoint + " is already held by another live endpoint on " + subnet);
        }
        Departure previous = departing.get(address);
        if (previous == null || !stillDeparting(address)) {
          inUse.add(address);
          return;
        }
        long waited = elapsedMillis(start);
        if (waited >= nextGhostCheck) {
          List<Long> pins = JvmSockets.inNamespace(previous.namespaceCookie);
          if (!pins.isEmpty()) {
            throw new IllegalStateException(ghostMessage(address, endpoint, previous, pins));
          }
          nextGhostCheck = waited + GHOST_CHECK_MILLIS;
        }
        if (waited > DEPARTURE_WAIT_MILLIS) {
          throw new IllegalStateException("address " + InetAddresses.format(address) + " requested by endpoint "
              + endpoint + " is still held by the namespace of ended endpoint " + previous.endpoint + ": its port "
              + previous.labVeth + " is still on bridge " + bridge + " " + elapsedMillis(previous.endedNanos)
              + " ms after it ended, and nsunit hands out an address only once its previous holder is gone."
              + " No socket of this JVM holds that namespace; a thread or a process may (the test that used it"
              + " reports threads it left running). Stop them, or give this endpoint another address.");
        }
      }
      pause(round, endpoint);
    }
  }

  private String ghostMessage(InetAddress address, String endpoint, Departure previous, List<Long> pins) {
    return "address " + InetAddresses.format(address) + " requested by endpoint " + endpoint
        + " is still held by a ghost: the namespace of ended endpoint " + previous.endpoint + " ("
        + elapsedMillis(previous.endedNanos) + " ms ago) is kept alive by " + pins.size() + " socket(s) of this JVM ("
        + socketList(pins) + "), so its eth0 still has the address and its port " + previous.labVeth + " is still on bridge "
        + bridge + ". The test that left the socket open failed with a report naming it. nsunit hands the address"
        + " out again once the namespace is gone: close sockets, server sockets and clients' connection pools before"
        + " the test ends, or give this endpoint another address.";
  }

  /**
   * {@code fixed} reserved for {@code endpoint} ({@link #reserve}), or the next free address if
   * {@code fixed} is null ({@link #allocate}).
   */
  InetAddress take(InetAddress fixed, String endpoint) {
    if (fixed == null) {
      return allocate(endpoint);
    }
    reserve(fixed, endpoint);
    return fixed;
  }

  /**
   * Returns {@code address} when its endpoint ends. It stays departing until the lab-side veth
   * {@code labVeth} is gone.
   *
   * @param namespaceCookie the ended namespace's cookie, to find sockets that keep it alive
   */
  synchronized void release(InetAddress address, String endpoint, String labVeth, long namespaceCookie) {
    inUse.remove(address);
    departing.put(address, new Departure(endpoint, labVeth, namespaceCookie, System.nanoTime()));
    if (departing.size() >= sweepAt) {
      departing.values().removeIf(d -> !portPresent.test(d.labVeth));
      sweepAt = Math.max(SWEEP_AT_LEAST, 2 * departing.size());
    }
  }

  /**
   * Who had the lab-side veth {@code labVeth} and when it ended, if this pool still remembers it
   * as departing: for a leak report that finds the veth still on the bridge.
   */
  synchronized Optional<String> departureOf(String labVeth) {
    for (Map.Entry<InetAddress, Departure> e : departing.entrySet()) {
      Departure d = e.getValue();
      if (labVeth.equals(d.labVeth)) {
        return Optional.of("endpoint " + d.endpoint + " (" + InetAddresses.format(e.getKey()) + "), ended "
            + elapsedMillis(d.endedNanos) + " ms ago");
      }
    }
    return Optional.empty();
  }

  /** Whether the previous holder of {@code address} still has its port; forgets it once gone. */
  private boolean stillDeparting(InetAddress address) {
    Departure d = departing.get(address);
    if (d == null) {
      return false;
    }
    if (portPresent.test(d.labVeth)) {
      return true;
    }
    departing.remove(address);
    return false;
  }

  private static long elapsedMillis(long sinceNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sinceNanos);
  }

  /** Waits a little before looking again: 1 ms at first, then up to 10 ms. */
  private static void pause(int round, String endpoint) {
    try {
      Thread.sleep(Math.min(10, 1 + round / 4));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while endpoint " + endpoint
          + " waited for an address whose previous holder is still on the bridge", e);
    }
  }
}
