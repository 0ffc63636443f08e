package dev.nsunit.internal.ns;

import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Starts the processes of one namespace and kills them on {@link #close()}. Every process is
 * forked from one long-lived launcher thread inside the namespace: Linux sends the
 * {@code PR_SET_PDEATHSIG} signal that {@link ProcessGuard} arranges when the <em>thread</em> that
 * forked the child exits, so that thread must live as long as the namespace.
 */
final class ProcessLauncher implements AutoCloseable {
  private static final long KILL_WAIT_MILLIS = 5_000;

  private final String description;
  private final ThreadFactory launcherThreads;
  private final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private ExecutorService launcher; // guarded by this

  ProcessLauncher(String description, ThreadFactory launcherThreads) {
    this.description = description;
    this.launcherThreads = launcherThreads;
  }

  Process start(ProcessBuilder builder) throws IOException {
    ProcessBuilder guarded = ProcessGuard.guard(builder);
    Future<Process> f = launcher().submit(guarded::start);
    try {
      Process p = f.get();
      processes.add(p);
      return p;
    } catch (ExecutionException e) {
      Rethrow.ifUncheckedOr(e.getCause(), IOException.class);
      throw new IOException("cannot start " + builder.command() + " in " + description, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + builder.command() + " in " + description, e);
    }
  }

  private synchronized ExecutorService launcher() {
    if (launcher == null) {
      launcher = Executors.newSingleThreadExecutor(launcherThreads);
    }
    return launcher;
  }

  /** The processes started here that are still alive. */
  List<Process> alive() {
    List<Process> out = new ArrayList<>();
    for (Process p : processes) {
      if (p.isAlive()) {
        out.add(p);
      }
    }
    return out;
  }

  /**
   * Kills every process started here and its descendants, waits for them, closes the pipes of
   * those it killed, then stops the launcher thread (idle by then: its processes are dead, so its
   * exit signals nobody).
   */
  @Override
  public void close() {
    FailureCollector failures = new FailureCollector();
    List<Process> killed = alive();
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          failures.add(new IllegalStateException("process " + p.pid() + " in " + description
              + " did not exit within " + KILL_WAIT_MILLIS + " ms of SIGKILL"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Process p : killed) {
      closeStreams(p); // nobody reads a process we killed; else its pipes stay open until a GC
    }
    ExecutorService l;
    synchronized (this) {
      l = launcher;
    }
    if (l != null) {
      l.shutdownNow();
    }
    failures.throwIfAny();
  }

  private static void closeStreams(Process p) {
    for (Closeable c : new Closeable[] {p.getOutputStream(), p.getInputStream(), p.getErrorStream()}) {
      try {
        c.close();
      } catch (IOException e) {
        // already closed or broken: nothing left to release
      }
    }
  }
}
