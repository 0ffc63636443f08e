package dev.nsunit.internal.escape;

import dev.nsunit.internal.escape.OwnSockets.OwnSocket;
import dev.nsunit.internal.netlink.SockDiagEntry;
import dev.nsunit.model.InetSocket;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides which sockets of the watched namespace this JVM opened during a window, from what was
 * read at its start and end and the destroy events in between. Pure: no kernel access.
 *
 * <p>A socket is never counted when the window saw it at its start (its cookie), when it is a
 * connection that a server which existed then accepted (JMX, a debugger, a test's own server: a
 * server accepts on its own thread; the other end is what escaped), or when it closed without
 * ever having carried traffic (see {@link #carriedNothing}). Otherwise:
 * <ul>
 *   <li>open at the end: counted when this JVM holds it (one of its descriptors refers to it): exact;
 *   <li>closed meanwhile (a destroy event, or a TCP socket whose owner closed it and that is still
 *       shutting down): the kernel no longer says who held it. In a namespace used only by this
 *       JVM and its children every such socket is counted; in a shared one, only a connection to
 *       a server of this JVM (a TCP listener or a UDP socket it held at the start or the end)
 *       that did not exist at the start, because other processes' sockets look the same.
 * </ul>
 */
final class Attribution {
  private Attribution() {}

  /**
   * @param start read when the window opened
   * @param end read when it closed
   * @param destroyed the destroy events received in between
   * @param ignored cookies of sockets nsunit itself made (event barriers)
   * @param privateNamespace whether only this JVM and its children use the namespace
   */
  static List<Escape> of(Snapshot start, Snapshot end, Collection<SockDiagEntry> destroyed, Set<Long> ignored,
      boolean privateNamespace) {
    Set<Long> seen = new HashSet<>(ignored);
    List<InetSocket> servers = new ArrayList<>(); // of any process, at the start
    for (SockDiagEntry e : start.dumped()) {
      seen.add(e.cookie());
      if (e.socket().isListening()) {
        servers.add(e.socket());
      }
    }
    List<InetSocket> ownServers = new ArrayList<>(); // of this JVM, at the start or the end
    List<InetSocket> ownConnectionsAtStart = new ArrayList<>();
    for (OwnSocket o : start.own()) {
      seen.add(o.entry().cookie());
      InetSocket s = o.entry().socket();
      if (s.isListening()) {
        servers.add(s);
      } else if (s.protocol() == InetSocket.Protocol.TCP) {
        ownConnectionsAtStart.add(s);
      }
    }
    for (Snapshot snapshot : List.of(start, end)) {
      for (OwnSocket o : snapshot.own()) {
        InetSocket s = o.entry().socket();
        if (s.isListening() || s.protocol() == InetSocket.Protocol.UDP) {
          ownServers.add(s);
        }
      }
    }
    List<Escape> out = new ArrayList<>();
    for (OwnSocket o : end.own()) {
      if (seen.add(o.entry().cookie()) && !acceptedBy(o.entry().socket(), servers)) {
        out.add(new Escape(o.entry().socket(), o.entry().cookie(), Escape.Evidence.DESCRIPTOR, o.fd()));
      }
    }
    List<InetSocket> endServers = new ArrayList<>(servers);
    for (SockDiagEntry e : end.dumped()) {
      if (e.socket().isListening()) {
        endServers.add(e.socket());
      }
    }
    List<SockDiagEntry> closed = new ArrayList<>(destroyed);
    for (SockDiagEntry e : end.dumped()) {
      // held by no descriptor: closed by its owner and still shutting down (FIN-WAIT, LAST-ACK...),
      // or a connection no one has accepted yet (whose local end is a listener's)
      if (e.socket().inode() == 0 && e.socket().protocol() == InetSocket.Protocol.TCP && !e.socket().isListening()) {
        closed.add(e);
      }
    }
    for (SockDiagEntry e : closed) {
      InetSocket s = e.socket();
      if (!seen.add(e.cookie()) || acceptedBy(s, endServers) || carriedNothing(s)
          || ownConnectionsAtStart.stream().anyMatch(o -> isOtherEndOf(s, o))) {
        continue;
      }
      if (privateNamespace) {
        out.add(new Escape(s, e.cookie(), Escape.Evidence.PRIVATE_NAMESPACE, -1));
      } else if (s.remotePort() != 0 && ownServers.stream().anyMatch(server -> isRemoteEndOf(s, server))) {
        out.add(new Escape(s, e.cookie(), Escape.Evidence.PEER_IN_THIS_JVM, -1));
      }
    }
    return out;
  }

  /**
   * Whether a closed socket cannot have carried traffic: it never had a port, or it is TCP and
   * never connected (a listener; its accepted connections count on their own). The monitor skips
   * waiting for the last destroy events when the namespace carried no traffic, so such sockets
   * are left out always rather than sometimes.
   */
  private static boolean carriedNothing(InetSocket s) {
    return (s.localPort() == 0 && s.remotePort() == 0)
        || (s.protocol() == InetSocket.Protocol.TCP && s.remotePort() == 0);
  }

  /** Whether {@code s} is a connection a TCP listener among {@code servers} accepted: its local end is theirs. */
  private static boolean acceptedBy(InetSocket s, List<InetSocket> servers) {
    if (s.protocol() != InetSocket.Protocol.TCP || s.isListening()) {
      return false;
    }
    for (InetSocket server : servers) {
      if (server.isListening() && server.localPort() == s.localPort()
          && (server.isWildcard() || unmapped(server.local()).equals(unmapped(s.local())))) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code s}'s remote end is {@code server}'s local end (same protocol; a wildcard address matches any). */
  private static boolean isRemoteEndOf(InetSocket s, InetSocket server) {
    return s.protocol() == server.protocol() && s.remotePort() == server.localPort()
        && (server.isWildcard() || unmapped(server.local()).equals(unmapped(s.remote())));
  }

  /** Whether TCP sockets {@code s} and {@code o} are the two ends of one connection. */
  private static boolean isOtherEndOf(InetSocket s, InetSocket o) {
    return s.protocol() == o.protocol() && s.localPort() == o.remotePort() && s.remotePort() == o.localPort()
        && unmapped(s.local()).equals(unmapped(o.remote())) && unmapped(s.remote()).equals(unmapped(o.local()));
  }

  /** {@code ::ffff:a.b.c.d} as {@code a.b.c.d}: a dual-stack socket talks IPv4 through such addresses. */
  static InetAddress unmapped(InetAddress a) {
    if (!(a instanceof Inet6Address)) {
      return a;
    }
    byte[] b = a.getAddress();
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return a;
      }
    }
    if ((b[10] & 0xff) != 0xff || (b[11] & 0xff) != 0xff) {
      return a;
    }
    try {
      return InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]});
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // unreachable: the length is 4
    }
  }
}
