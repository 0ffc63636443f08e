package dev.nsunit;

import dev.nsunit.internal.ns.FailureCollector;
import dev.nsunit.internal.ns.JvmSockets;
import dev.nsunit.model.InetSocket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds sockets of this JVM that keep a scope's namespaces alive after the scope ended: a
 * {@code ServerSocket} nobody closed, a client's pooled keep-alive connection. Such a socket makes
 * its namespace a ghost: nsunit closed the namespace's descriptors, but the kernel keeps the
 * namespace, its {@code eth0} and its address for as long as the socket is open.
 *
 * <p>Two steps around the release of the scope's namespaces: {@link #before} lists each
 * namespace's TCP and UDP sockets with sock_diag (while nsunit can still reach the namespace),
 * {@link #report} then keeps those whose inode is still among this JVM's descriptors
 * ({@code /proc/self/fd}). Sockets that the release itself closed (a pool thread interrupted by
 * it, a process it killed) are not reported, and neither are other processes' sockets.
 */
final class SocketLeaks {
  private static final SocketLeaks NONE = new SocketLeaks(Map.of());

  private final Map<NetworkNamespace, List<InetSocket>> candidates;

  private SocketLeaks(Map<NetworkNamespace, List<InetSocket>> candidates) {
    this.candidates = candidates;
  }

  /**
   * Lists the sockets of each of {@code namespaces} that is still open and is not the JVM's own
   * namespace (inode {@code hostInode}), before they are released. A namespace that cannot be
   * read is recorded in {@code failures} and skipped.
   */
  static SocketLeaks before(List<NetworkNamespace> namespaces, long hostInode, FailureCollector failures) {
    Map<NetworkNamespace, List<InetSocket>> found = new LinkedHashMap<>();
    for (NetworkNamespace ns : namespaces) {
      if (ns.id().inode() == hostInode || ns.isClosed()) {
        continue; // the JVM's own namespace is full of its sockets, by design
      }
      failures.run(() -> {
        List<InetSocket> sockets = JvmSockets.inetSocketsIn(ns.netns());
        if (!sockets.isEmpty()) {
          found.put(ns, sockets);
        }
      });
    }
    return found.isEmpty() ? NONE : new SocketLeaks(found);
  }

  /**
   * After the release: records one failure per namespace in which this JVM still holds sockets,
   * naming each like {@code tcp *:7000 LISTEN}.
   *
   * @param test the test's display name, or {@code null} for a class scope
   */
  void report(String test, FailureCollector failures) {
    if (candidates.isEmpty()) {
      return; // the usual case: no socket at all was open when the scope ended
    }
    Set<Long> held = JvmSockets.inodes();
    candidates.forEach((ns, sockets) -> {
      List<String> leaked = new ArrayList<>();
      for (InetSocket s : sockets) {
        if (held.contains(s.inode())) {
          leaked.add(describe(s));
        }
      }
      if (!leaked.isEmpty()) {
        failures.add(new IllegalStateException(message(test, ns, leaked)));
      }
    });
  }

  /** The message for sockets {@code leaked} left open in {@code ns}; public in spirit: the README quotes it. */
  static String message(String test, NetworkNamespace ns, List<String> leaked) {
    return (test == null ? "the class-level endpoints" : "test " + test) + " left " + leaked.size()
        + " socket(s) open in " + ns + " after " + (test == null ? "the class" : "it") + " ended: " + leaked
        + ". Each keeps the namespace alive as a ghost: nsunit closed the namespace's descriptors, but the kernel"
        + " keeps the namespace, its interfaces and its addresses while a socket of this JVM is open in it, and"
        + " nsunit does not hand its address to another endpoint until it is gone. Close sockets, server sockets"
        + " and clients (with their pools of keep-alive connections) before the test or its @AfterEach returns.";
  }

  /** A socket as ss would show its gist: {@code tcp *:7000 LISTEN}, {@code tcp A:P -> B:Q ESTAB}. */
  static String describe(InetSocket s) {
    String local = s.protocol().netid() + " " + s.localText();
    return (s.remotePort() == 0 ? local : local + " -> " + s.remoteText()) + " " + s.stateName();
  }
}
