package dev.nsunit.internal.escape;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.ns.ProcDirectory;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Which other processes use a network namespace: those whose {@code /proc/PID/ns/net} names it,
 * other than this JVM and the processes it started. Processes whose namespace this JVM may not
 * read (another user's, for a JVM under the rootless launcher; some kernel-protected ones even
 * for root) are not counted: they could enter the namespace only with privileges over the user
 * namespace that owns it. The machine's initial namespace always counts as shared.
 */
final class NamespaceSharing {
  /**
   * {@code PROC_NET_INIT_INO} (linux/proc_ns.h): the inode of the machine's initial network
   * namespace on kernels that give it a fixed one (older kernels number it like any other).
   */
  static final long PROC_NET_INIT_INO = 0xEFFFFFF9L;

  private NamespaceSharing() {}

  /** {@code "PID (comm)"} of the processes other than this JVM and its descendants in namespace {@code inode}. */
  static List<String> othersIn(long inode) {
    String target = "net:[" + inode + "]";
    Set<Long> ours;
    try (Stream<ProcessHandle> descendants = ProcessHandle.current().descendants()) {
      ours = Stream.concat(Stream.of(ProcessHandle.current()), descendants).map(ProcessHandle::pid)
          .collect(Collectors.toSet());
    }
    List<String> others = new ArrayList<>();
    for (Path p : ProcDirectory.processes()) {
      long pid = Long.parseLong(p.getFileName().toString());
      if (ours.contains(pid)) {
        continue;
      }
      String ns;
      try {
        ns = Libc.readlink(p + "/ns/net");
      } catch (RuntimeException e) {
        continue; // exited, or not ours to read
      }
      if (ns.equals(target)) {
        others.add(pid + " (" + ProcDirectory.command(p) + ")");
      }
    }
    if (others.isEmpty() && inode == PROC_NET_INIT_INO) {
      // every process of the machine that never left it is here, even if we may not see them
      others.add("the machine's initial network namespace");
    }
    return others;
  }
}
