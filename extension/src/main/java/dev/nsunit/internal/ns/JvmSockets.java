package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.netlink.InetSocketDump;
import dev.nsunit.internal.netlink.NetlinkConstants;
import dev.nsunit.internal.netlink.NetlinkSocket;
import dev.nsunit.model.InetSocket;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * This JVM's own sockets: the ones whose inodes appear among its descriptors,
 * {@code /proc/self/fd/N -> socket:[INODE]}. Threads share one descriptor table, so these are the
 * sockets of every thread, whichever namespace each was created in. A socket holds its namespace
 * alive, so a socket of the JVM in a namespace nsunit has closed keeps that namespace, with its
 * interfaces and addresses, as a ghost.
 *
 * <p>Descriptors can be closed (and their numbers reused) while a scan runs; such entries are
 * skipped or re-read, never reported wrongly as held.
 */
public final class JvmSockets {
  private static final Path FDS = Path.of("/proc/self/fd");
  private static final Set<Long> CLOSING = ConcurrentHashMap.newKeySet();

  private JvmSockets() {}

  /** The inodes of every socket this JVM holds open, of any family. */
  public static Set<Long> inodes() {
    Set<Long> out = new HashSet<>();
    forEachSocket((fd, inode) -> out.add(inode));
    return out;
  }

  /**
   * Every TCP and UDP socket in {@code ns} that has an inode (TIME-WAIT entries have none and pin
   * nothing), held by anyone: this JVM, a process started inside, another process. Read with a
   * sock_diag socket opened in {@code ns} for the purpose and closed before returning.
   * Equivalent to: {@code ip netns exec NS ss -Htuan}, without the entries whose inode is 0.
   */
  public static List<InetSocket> inetSocketsIn(Netns ns) {
    List<InetSocket> out = new ArrayList<>();
    for (InetSocket s : ns.inspect(() -> ns.sockDiag().all())) {
      if (s.inode() != 0) {
        out.add(s);
      }
    }
    return out;
  }

  /**
   * The inodes of this JVM's sockets (of any family) that live in the namespace whose cookie is
   * {@code cookie} ({@code SO_NETNS_COOKIE}), e.g. to find what keeps a closed namespace alive.
   * Needs no handle on the namespace, so it works after nsunit closed its own.
   */
  public static List<Long> inNamespace(long cookie) {
    List<Long> out = new ArrayList<>();
    forEachSocket((fd, inode) -> {
      if (CLOSING.contains(inode)) {
        return; // nsunit's own, on its way out
      }
      long socketCookie;
      try {
        socketCookie = Libc.getsockoptLong(fd, Libc.SOL_SOCKET, Libc.SO_NETNS_COOKIE);
      } catch (RuntimeException e) {
        return; // closed meanwhile (EBADF), or its number now names something that is not a socket
      }
      if (socketCookie == cookie && inode == socketInode(FDS.resolve(Integer.toString(fd)))) {
        out.add(inode); // still the same socket after getsockopt: the cookie is this socket's
      }
    });
    return out;
  }

  /**
   * Marks nsunit's own socket {@code inode} as closing: it is about to be closed on another thread
   * (a packet socket's close waits for an RCU grace period, which no test should wait for), so
   * {@link #inNamespace} does not count it as pinning its namespace. Unmark it with {@link #closed}.
   */
  public static void closingSoon(long inode) {
    CLOSING.add(inode);
  }

  /** The socket {@link #closingSoon} announced is closed. */
  public static void closed(long inode) {
    CLOSING.remove(inode);
  }

  private interface SocketVisitor {
    void visit(int fd, long inode);
  }

  private static void forEachSocket(SocketVisitor visitor) {
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(FDS)) {
      for (Path fd : fds) {
        long inode = socketInode(fd);
        if (inode >= 0) {
          visitor.visit(Integer.parseInt(fd.getFileName().toString()), inode);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + FDS + ", which nsunit reads to find this JVM's sockets", e);
    }
  }

  /** The inode of the socket {@code fd} links to, or -1 if it is not (or no longer) a socket. */
  private static long socketInode(Path fd) {
    String target;
    try {
      target = Libc.readlink(fd.toString());
    } catch (RuntimeException e) {
      return -1; // closed meanwhile
    }
    if (!target.startsWith("socket:[") || !target.endsWith("]")) {
      return -1;
    }
    return Long.parseLong(target.substring(8, target.length() - 1));
  }
}
