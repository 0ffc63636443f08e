package dev.nsunit;

import dev.nsunit.internal.ns.NsfsLink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;
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
   * The threads of this process inside namespace {@code inode}, as {@code "tid 1234 \"name\""}
   * with each thread's Java name, after giving threads that are exiting up to
   * {@value #GRACE_MILLIS} ms. Threads whose names {@code ignored} matches are left out.
   */
  static List<String> tasksIn(long inode, IgnoredThreads ignored) {
    long deadline = System.nanoTime() + GRACE_MILLIS * 1_000_000;
    Map<Long, String> names = new HashMap<>();
    long pause = 50;
    while (true) {
      boolean last = System.nanoTime() > deadline;
      List<String> found = new ArrayList<>();
      for (Map.Entry<Long, String> task : scan(inode).entrySet()) {
        long tid = task.getKey();
        // names are looked up only for the tasks that remain, once each: a thread dump is costly
        if (!ignored.isEmpty() || last) {
          if (!names.containsKey(tid)) {
            names.putAll(ThreadNames.byTaskId());
            names.putIfAbsent(tid, ThreadNames.javaName(tid, task.getValue(), names));
          }
          if (!ignored.matches(names.get(tid))) {
            found.add("tid " + tid + " \"" + names.get(tid) + "\"");
          }
        } else {
          found.add("tid " + tid);
        }
      }
      if (found.isEmpty() || last) {
        return found;
      }
      // a thread that was just joined is usually gone from /proc within microseconds: look again
      // soon, then less often (Thread.sleep would round 50 us up to a millisecond)
      LockSupport.parkNanos(pause * 1_000);
      pause = Math.min(pause * 2, 10_000);
      if (Thread.currentThread().isInterrupted()) {
        deadline = System.nanoTime() - 1; // report what remains, with names; the flag stays set
      }
    }
  }

  /** The Java names in entries made by {@link #tasksIn}. */
  static List<String> namesOf(List<String> tasks) {
    List<String> out = new ArrayList<>();
    for (String t : tasks) {
      int quote = t.indexOf('"');
      out.add(quote < 0 ? t : t.substring(quote + 1, t.length() - 1));
    }
    return out;
  }

  /**
   * What a scope that left {@code leaked} threads in {@code ns} is told: the threads by their
   * Java names, why it matters, and what to do.
   */
  static String report(String scope, String ended, NetworkNamespace ns, List<String> leaked) {
    Set<String> suggestions = new LinkedHashSet<>();
    for (String name : namesOf(leaked)) {
      if (!name.startsWith("Thread-") && !name.startsWith("nsunit-")) {
        suggestions.add(IgnoredThreads.suggest(name));
      }
    }
    return scope + " left " + leaked.size() + " thread(s) running in " + ns + " after " + ended + " ended: " + leaked
        + ". nsunit closed the namespace's descriptors, but each of these threads keeps the namespace alive"
        + " until it exits. Stop threads you start (interrupt and join them) and close clients (close(),"
        + " shutdown(), evicting their connection pools) before the test or its @AfterEach returns; give a"
        + " client threads from ns.executor() or ns.threadFactory(), which nsunit stops with the namespace."
        + " A thread that a library keeps on purpose (a shared timer or selector that opens no sockets) can be"
        + " left out of this check with the configuration parameter " + NsunitProperties.THREADS_IGNORE
        + (suggestions.isEmpty() ? "=NAME-PATTERN,..." : "=" + String.join(",", suggestions))
        + " (a comma-separated list of thread names, * for any characters); it still pins the namespace"
        + " until it ends. README, \"Clients\", has a tested recipe for common clients.";
  }

  /** Task id to kernel name ({@code comm}) of this process's tasks inside namespace {@code inode}. */
  private static Map<Long, String> scan(long inode) {
    Map<Long, String> out = new TreeMap<>();
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
        out.put(Long.parseLong(task.getFileName().toString()), name);
      }
    }
    return out;
  }

  private static long inodeOf(Path nsLink) {
    return NsfsLink.inodeOf(nsLink);
  }
}
