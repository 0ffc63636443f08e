package dev.nsunit;

import dev.nsunit.internal.ns.NsfsLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Finds this JVM's threads that are inside a given network namespace, by reading
 * {@code /proc/self/task/TID/ns/net}: it sees threads made by {@code threadFactory()} and plain
 * {@code new Thread()}s started from a namespaced test body alike (a new thread inherits its
 * creator's namespace).
 */
final class ThreadLeaks {
  /**
   * How long a task may stay after its thread ended in Java terms: Thread.join() returns before
   * the JVM has finished the native exit, which waits for safepoints and the scheduler. Measured
   * on 2 cores: at most 64 ms idle, 330 ms beside two CPU hogs. Only a real leak waits it out.
   */
  private static final long GRACE_MILLIS = 5_000;

  private ThreadLeaks() {}

  /** The inode of the JVM's own namespace: its threads are not leaks. */
  static long hostInode() {
    return inodeOf(Path.of("/proc/self/ns/net"));
  }

  /**
   * The threads of this process inside namespace {@code inode}, as {@code "tid 1234 \"name\""},
   * after giving threads that are exiting up to {@value #GRACE_MILLIS} ms.
   */
  static List<String> tasksIn(long inode) {
    long deadline = System.nanoTime() + GRACE_MILLIS * 1_000_000;
    while (true) {
      List<String> found = scan(inode);
      if (found.isEmpty() || System.nanoTime() > deadline) {
        return found;
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return found;
      }
    }
  }

  private static List<String> scan(long inode) {
    List<String> out = new ArrayList<>();
    List<Path> tasks;
    try (Stream<Path> s = Files.list(Path.of("/proc/self/task"))) {
      tasks = s.collect(Collectors.toList());
    } catch (IOException e) {
      return out;
    }
    for (Path task : tasks) {
      if (inodeOf(task.resolve("ns/net")) == inode) {
        String name;
        try {
          name = Files.readString(task.resolve("comm")).trim();
        } catch (IOException e) {
          continue; // exited meanwhile
        }
        if (name.equals("process reaper")) {
          // the JDK's shared pool that waits for child processes: created on demand by whichever
          // thread starts a process, so it may sit in a namespace; not the test's, and it exits
          // once idle (the namespace is pinned until then)
          continue;
        }
        out.add("tid " + task.getFileName() + " \"" + name + "\"");
      }
    }
    return out;
  }

  private static long inodeOf(Path nsLink) {
    return NsfsLink.inodeOf(nsLink);
  }
}
