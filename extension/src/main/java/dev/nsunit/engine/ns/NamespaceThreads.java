package dev.nsunit.engine.ns;

import dev.nsunit.engine.libc.Libc;
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
      Libc.setns(fd, Libc.CLONE_NEWNET);
      return task.call();
    }, "nsunit-setns");
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
