package dev.nsunit.internal.escape;

import dev.nsunit.internal.escape.OwnSockets.OwnSocket;
import dev.nsunit.internal.netlink.SockDiagEntry;
import java.util.ArrayList;
import java.util.List;

/**
 * What a window reads of the watched namespace at its start or end.
 *
 * @param dumped sockets of any process, from sock_diag: always the UDP sockets and TCP listeners;
 *     TCP connections too when they were worth the cost (see {@link EscapeMonitor})
 * @param own the sockets this JVM holds there, read through its descriptors
 */
record Snapshot(List<SockDiagEntry> dumped, List<OwnSocket> own) {
  Snapshot {
    dumped = List.copyOf(dumped);
    own = List.copyOf(own);
  }

  /** This snapshot with {@code more} dumped sockets. */
  Snapshot with(List<SockDiagEntry> more) {
    List<SockDiagEntry> all = new ArrayList<>(dumped);
    all.addAll(more);
    return new Snapshot(all, own);
  }
}
