package dev.nsunit.internal.ns;

import dev.nsunit.model.SocketOwner;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds the processes that hold sockets, as {@code ss -p} does: sock_diag reports a socket's
 * inode, and every {@code /proc/<pid>/fd/<n>} link to {@code socket:[inode]} is a holder. Sockets
 * the JVM opened (on any thread, in any namespace) belong to the JVM's pid, because threads share
 * one descriptor table.
 *
 * <p>Processes can exit or close descriptors while the scan runs; such entries are skipped.
 * Processes in other PID namespaces that this one cannot see are not found.
 */
public final class SocketOwners {

  private SocketOwners() {}

  /** The holders of each of {@code inodes}, found in one scan of {@code /proc}. */
  public static Map<Long, List<SocketOwner>> of(Collection<Long> inodes) {
    Set<Long> wanted = Set.copyOf(inodes);
    Map<Long, List<SocketOwner>> out = new HashMap<>();
    if (wanted.isEmpty()) {
      return out;
    }
    for (Path pidDir : ProcDirectory.processes()) {
      scan(pidDir, wanted, out);
    }
    return out;
  }

  /** The holders of the socket with {@code inode}; empty if none is visible. */
  public static List<SocketOwner> of(long inode) {
    return of(List.of(inode)).getOrDefault(inode, List.of());
  }

  private static void scan(Path pidDir, Set<Long> wanted, Map<Long, List<SocketOwner>> out) {
    long pid = Long.parseLong(pidDir.getFileName().toString());
    String command = null;
    try (DirectoryStream<Path> fds = Files.newDirectoryStream(pidDir.resolve("fd"))) {
      for (Path fd : fds) {
        long inode = socketInode(fd);
        if (inode < 0 || !wanted.contains(inode)) {
          continue;
        }
        if (command == null) {
          command = ProcDirectory.command(pidDir);
        }
        out.computeIfAbsent(inode, k -> new ArrayList<>())
            .add(new SocketOwner(pid, command, Integer.parseInt(fd.getFileName().toString())));
      }
    } catch (IOException | SecurityException e) {
      // the process exited, or its fd directory is not ours to read: nothing to report
    }
  }

  private static long socketInode(Path fd) {
    try {
      String target = Files.readSymbolicLink(fd).toString();
      if (!target.startsWith("socket:[")) {
        return -1;
      }
      return Long.parseLong(target.substring(8, target.length() - 1));
    } catch (IOException | RuntimeException e) {
      return -1; // closed meanwhile
    }
  }
}
