package dev.nsunit.internal.escape;

import dev.nsunit.model.InetSocket;
import java.util.Objects;

/**
 * A socket that this JVM opened in the watched namespace while a window was open.
 *
 * @param socket the socket's protocol, state and addresses as sock_diag reported them
 * @param cookie the kernel's socket cookie
 * @param evidence why it is this JVM's, and whether it was still open
 * @param fd the JVM's descriptor for it, or -1 when it was closed
 */
public record Escape(InetSocket socket, long cookie, Evidence evidence, int fd) {
  /** Why a socket is attributed to this JVM. */
  public enum Evidence {
    /** Still open: a descriptor of this JVM ({@code /proc/self/fd}) refers to its inode. */
    DESCRIPTOR,
    /** Closed during the window; its remote end is a server (TCP listener or UDP socket) of this JVM. */
    PEER_IN_THIS_JVM,
    /** Closed during the window, in a namespace that only this JVM and processes it started use. */
    PRIVATE_NAMESPACE
  }

  /** Checks that socket and evidence are present. */
  public Escape {
    Objects.requireNonNull(socket, "socket");
    Objects.requireNonNull(evidence, "evidence");
  }

  /** Whether the socket was still open when the window ended. */
  public boolean isOpen() {
    return evidence == Evidence.DESCRIPTOR;
  }

  /**
   * Like a line of {@code ss -tuna}, plus how the socket was found, e.g.
   * {@code tcp ESTAB [::ffff:127.0.0.1]:40112 -> [::ffff:127.0.0.1]:39311, still open (fd 57)}.
   */
  @Override
  public String toString() {
    String how = switch (evidence) {
      case DESCRIPTOR -> "still open (fd " + fd + ")";
      case PEER_IN_THIS_JVM -> "opened and closed meanwhile; its peer is a server of this JVM";
      case PRIVATE_NAMESPACE -> "opened and closed meanwhile; only this JVM and its child processes use this namespace";
    };
    String state = evidence == Evidence.DESCRIPTOR ? socket.stateName() + " " : "";
    return socket.protocol().netid() + " " + state + socket.localText() + " -> " + socket.remoteText() + ", " + how;
  }
}
