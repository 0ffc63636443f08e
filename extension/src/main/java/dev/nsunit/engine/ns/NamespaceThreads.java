package dev.nsunit.engine.ns;

import dev.nsunit.engine.libc.Libc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs short set-up tasks on a fresh platform thread that first enters (or creates) a network
 * namespace, then exits. The caller's thread never changes namespace.
 */
final class NamespaceThreads {
  private static final AtomicInteger COUNTER = new AtomicInteger();

  private NamespaceThreads() {}

  /** Runs {@code task} on a new thread that has just unshared into a brand-new namespace. */
  static <T> T inNewNamespace(Callable<T> task) {
    return onFreshThread(() -> {
      Libc.unshare(Libc.CLONE_NEWNET);
      return task.call();
    }, "nsunit-unshare");
  }

  /** Runs {@code task} on a new thread that has joined the namespace {@code fd} refers to. */
  static <T> T inNamespace(int fd, Callable<T> task) {
    return onFreshThread(() -> {
      join(fd);
      return task.call();
    }, "nsunit-setns");
  }

  /**
   * Moves the calling thread into the namespace {@code fd} refers to, unless it is already there.
   * setns needs CAP_SYS_ADMIN even for the namespace a thread is in, and a JVM without privileges
   * must still be able to inspect its own namespace (@HostNetwork checks on a CI machine).
   */
  static void join(int fd) {
    if (!target(Path.of("/proc/self/fd/" + fd)).equals(target(Path.of("/proc/thread-self/ns/net")))) {
      Libc.setns(fd, Libc.CLONE_NEWNET);
    }
  }

  /** "net:[inode]": namespace inodes are unique among live namespaces, and both are alive here. */
  private static String target(Path link) {
    try {
      return Files.readSymbolicLink(link).toString();
    } catch (IOException e) {
      return link.toString(); // unreadable: compare unequal, so setns decides and reports
    }
  }

  private static <T> T onFreshThread(Callable<T> task, String name) {
    Object[] result = new Object[1];
    Throwable[] failure = new Throwable[1];
    Thread t = new Thread(() -> {
      try {
        result[0] = task.call();
      } catch (Throwable e) {
        failure[0] = e;
      }
    }, name + "-" + COUNTER.incrementAndGet());
    t.setDaemon(true);
    t.start();
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the task is short and must finish: its result holds fds
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] instanceof RuntimeException) {
      throw (RuntimeException) failure[0];
    }
    if (failure[0] instanceof Error) {
      throw (Error) failure[0];
    }
    if (failure[0] != null) {
      throw new IllegalStateException(failure[0]);
    }
    @SuppressWarnings("unchecked")
    T r = (T) result[0];
    return r;
  }
}
