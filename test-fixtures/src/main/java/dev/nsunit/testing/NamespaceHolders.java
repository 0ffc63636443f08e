package dev.nsunit.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The referenced-inode view of network namespaces, read from {@code /proc}: which descriptors,
 * tasks and processes refer to a namespace's {@code net:[inode]}. Unlike
 * {@code /sys/kernel/slab/net_namespace/objects}, which counts dying namespaces too and can stay
 * high for a minute with nothing referencing them, this names every holder and changes only when
 * a holder does.
 */
public final class NamespaceHolders {
  private NamespaceHolders() {}

  /**
   * This JVM's descriptors that hold a network namespace other than the JVM's startup one, as
   * {@code "fd N -> net:[inode]"}. The startup namespace is left out: nsunit's namespace maker
   * holds it open while it lives, and it comes and goes with the maker.
   */
  public static Set<String> namespaceFdsOfThisJvm() {
    String startup = target(Path.of("/proc/self/ns/net"));
    Set<String> out = new TreeSet<>();
    for (Path fd : list(Path.of("/proc/self/fd"))) {
      String target = target(fd);
      if (target.startsWith("net:[") && !target.equals(startup)) {
        out.add("fd " + fd.getFileName() + " -> " + target);
      }
    }
    return out;
  }

  /** This JVM's threads (kernel tasks) inside the namespace, by tid. */
  public static List<String> threadsOfThisJvmIn(long inode) {
    String ns = "net:[" + inode + "]";
    List<String> out = new ArrayList<>();
    for (Path task : list(Path.of("/proc/self/task"))) {
      if (ns.equals(target(task.resolve("ns/net")))) {
        out.add("task " + task.getFileName() + " (" + comm(task) + ")");
      }
    }
    return out;
  }

  /**
   * The descendants of this JVM whose network namespace is {@code inode}, as
   * {@code "pid N (command)"}. A zombie has left its namespaces and is not listed.
   */
  public static List<String> processesOfThisJvmIn(long inode) {
    String ns = "net:[" + inode + "]";
    return ProcessHandle.current().descendants()
        .filter(p -> ns.equals(target(Path.of("/proc/" + p.pid() + "/ns/net"))))
        .map(p -> "pid " + p.pid() + " (" + comm(Path.of("/proc/" + p.pid())) + ")")
        .collect(Collectors.toList());
  }

  private static String target(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return ""; // gone meanwhile, or a zombie without namespaces
    }
  }

  private static String comm(Path proc) {
    try {
      return Files.readString(proc.resolve("comm")).trim();
    } catch (IOException e) {
      return "gone";
    }
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.collect(Collectors.toList());
    } catch (IOException e) {
      return List.of();
    }
  }
}
