package dev.nsunit;

import dev.nsunit.internal.capture.PacketCapture;
import dev.nsunit.internal.ns.Netns;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/** The packet captures running, one per namespace, whichever scope started it. */
final class Captures {
  private static final Logger LOG = Logger.getLogger("dev.nsunit");
  private static final Map<Netns, PacketCapture.Session> BY_NAMESPACE = new ConcurrentHashMap<>();
  private static volatile boolean warned;

  private Captures() {}

  /** The capture of {@code netns}, if one runs. */
  static Optional<PacketCapture.Session> of(Netns netns) {
    return Optional.ofNullable(BY_NAMESPACE.get(netns));
  }

  /**
   * Starts capturing {@code ns} unless it is the JVM's own namespace, one nsunit did not make, or
   * captured already; returns the new capture, which the caller stops. A capture that cannot start
   * (no CAP_NET_RAW) is logged once and skipped: evidence must not fail a test.
   */
  static Optional<PacketCapture.Session> start(NetworkNamespace ns, long ringBytes) {
    if (ringBytes <= 0 || ns.isHost() || !ns.createdByNsunit() || BY_NAMESPACE.containsKey(ns.netns())) {
      return Optional.empty();
    }
    try {
      PacketCapture.Session s = PacketCapture.start(ns.netns(), ns.name(), ringBytes);
      BY_NAMESPACE.put(ns.netns(), s);
      return Optional.of(s);
    } catch (RuntimeException e) {
      if (!warned) {
        warned = true;
        LOG.log(Level.WARNING, "nsunit cannot capture packets in " + ns + " (" + e.getMessage() + "); failed tests will"
            + " come without pcap files. Set nsunit.capture=false to stop trying.", e);
      }
      return Optional.empty();
    }
  }

  /** Stops {@code capture}, before its namespace is released. */
  static void stop(Netns netns, PacketCapture.Session capture) {
    BY_NAMESPACE.remove(netns, capture);
    capture.close();
  }
}
