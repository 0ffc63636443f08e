package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * Starts the processes of one namespace and kills them on {@link #close()}. Every process is
 * forked from one long-lived launcher thread: Linux sends the {@code PR_SET_PDEATHSIG} signal
 * that {@link ProcessGuard} arranges when the <em>thread</em> that forked the child exits, so that
 * thread must live as long as the namespace.
 *
 * <p>The launcher thread stays in the JVM's startup namespace, and each process enters the
 * namespace itself ({@code nsenter --net=/proc/JVM/fd/FD}, which execs the command in place).
 * Why not fork from inside: the JDK waits for each child on a "process reaper" thread that the
 * forking thread creates when no idle one exists, and a thread is born in its creator's
 * namespace; a reaper born inside would keep the namespace, and a bridge endpoint's veth and
 * address, alive for as long as it lingers (a minute after its process ended). Without
 * {@code nsenter} the launcher works from inside, as before.
 *
 * <p>No process escapes {@link #close()}: a process is registered under the same lock as the
 * fork, and {@link #close()} takes that lock to refuse further forks before it kills what is
 * registered. A {@link #start} whose caller is interrupted leaves no process either: the launch
 * is cancelled if it has not begun, else the process it made is killed.
 */
final class ProcessLauncher implements AutoCloseable {
  private static final long KILL_WAIT_MILLIS = 5_000;
  private static final long ENTER_WAIT_MILLIS = 10_000;

  private final String description;
  private final NamespaceAccess access;
  private final Supplier<ExecutorService> launcherFactory;
  private final String enterPath;
  private final long namespaceInode;
  private final Object lock = new Object();
  private final Set<Process> processes = ConcurrentHashMap.newKeySet(); // added under lock
  private ExecutorService launcher; // guarded by lock
  private boolean closed; // guarded by lock

  /**
   * @param launcherFactory makes the single, long-lived launcher thread's executor
   * @param enterPath the namespace file each process enters before it execs the command, or null
   *     if the launcher thread forks from inside the namespace
   * @param namespaceInode the namespace's nsfs inode: {@link #start} returns once the process's
   *     {@code /proc/PID/ns/net} is it
   */
  ProcessLauncher(String description, NamespaceAccess access, Supplier<ExecutorService> launcherFactory,
      String enterPath, long namespaceInode) {
    this.description = description;
    this.access = access;
    this.launcherFactory = launcherFactory;
    this.enterPath = enterPath;
    this.namespaceInode = namespaceInode;
  }

  /**
   * The launcher for processes that enter the namespace themselves: one thread that moves into
   * the JVM's startup namespace before its first task, so that neither it nor the reaper threads
   * it creates sit in the namespace. It fails tasks with {@link NamespaceAccess#closed()} once the
   * namespace is closed, as the namespace's own pools do.
   */
  static ExecutorService outsideLauncher(String description, NamespaceAccess namespace) {
    NamespaceAccess home = new NamespaceAccess() {
      @Override
      public void enter() {
        namespace.requireOpen();
        NamespaceThreads.joinStartupNamespace();
      }

      @Override
      public void requireOpen() {
        namespace.requireOpen();
      }

      @Override
      public IllegalStateException closed() {
        return namespace.closed();
      }
    };
    return new NamespaceExecutor(1, 1, 0, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "nsunit-launcher-" + description);
      t.setDaemon(true);
      return t;
    }, home, ConcurrentHashMap.newKeySet());
  }

  /** Whether processes enter the namespace themselves, and can so enter a {@link ProcessView} too. */
  boolean entersItself() {
    return enterPath != null;
  }

  Process start(ProcessBuilder builder) throws IOException {
    return start(builder, List.of());
  }

  /** Like {@link #start(ProcessBuilder)}, with more {@code nsenter} options (a view's namespaces). */
  Process start(ProcessBuilder builder, List<String> moreNsenterOptions) throws IOException {
    ProcessBuilder guarded = ProcessGuard.guard(builder, enterPath, moreNsenterOptions);
    processes.removeIf(p -> !p.isAlive()); // those are the caller's; only the living need killing
    Launch launch = new Launch();
    Future<Process> f = NamespaceThreadPool.submit(launcher(), () -> launch(guarded, launch), access);
    try {
      return f.get();
    } catch (ExecutionException e) {
      Rethrow.ifUncheckedOr(e.getCause(), IOException.class);
      throw new IOException("cannot start " + builder.command() + " in " + description, e.getCause());
    } catch (InterruptedException e) {
      IOException undone = undo(launch, f, builder);
      Thread.currentThread().interrupt();
      throw undone;
    }
  }

  /**
   * Whether a launch has begun, or was given up by its caller first: whichever comes first wins.
   * ({@code Future.cancel} cannot say: it succeeds while the task is still running.)
   */
  private static final class Launch {
    private boolean begun; // guarded by this
    private boolean abandoned; // guarded by this

    /** On the launcher: false if the caller gave up, and then nothing may be started. */
    synchronized boolean begin() {
      begun = !abandoned;
      return begun;
    }

    /** For the caller: true if the launch had not begun, and now never will. */
    synchronized boolean abandon() {
      abandoned = !begun;
      return abandoned;
    }
  }

  private ExecutorService launcher() {
    synchronized (lock) {
      if (closed) {
        throw access.closed();
      }
      if (launcher == null) {
        launcher = launcherFactory.get();
      }
      return launcher;
    }
  }

  /**
   * On the launcher thread: forks unless closed or abandoned, and registers the process before
   * close() can look. Returns null if abandoned: that caller is gone.
   */
  private Process launch(ProcessBuilder guarded, Launch launch) throws IOException {
    synchronized (lock) {
      if (closed) {
        throw access.closed();
      }
      if (!launch.begin()) {
        return null;
      }
      Process p = guarded.start();
      processes.add(p);
      if (enterPath != null) {
        awaitEntered(p);
      }
      return p;
    }
  }

  /**
   * The caller of {@code start()} was interrupted: make sure the launch leaves nothing. Abandons
   * it if it has not begun; else waits for it (a fork takes milliseconds) and kills what it made.
   */
  private IOException undo(Launch launch, Future<Process> f, ProcessBuilder builder) {
    String what = "interrupted while starting " + builder.command() + " in " + description;
    if (launch.abandon()) {
      return new InterruptedIOException(what + "; the process was not started");
    }
    Process p;
    try {
      p = Futures.getUninterruptibly(f);
    } catch (ExecutionException e) {
      InterruptedIOException failed = new InterruptedIOException(what + "; the process did not start");
      failed.initCause(e.getCause());
      return failed;
    }
    processes.remove(p);
    InterruptedIOException killed = new InterruptedIOException(what + "; the process (pid " + p.pid()
        + ") had already started and was killed");
    try {
      kill(p);
    } catch (RuntimeException e) {
      killed.addSuppressed(e);
    }
    closeStreams(p);
    return killed;
  }

  /**
   * Waits until {@code p} is in the namespace: the JDK returns once the first program of the
   * chain (setpriv) runs, and nsenter joins the namespace a millisecond or so later. A process
   * that ends first needs no wait.
   *
   * @throws IOException if it is still elsewhere after {@value #ENTER_WAIT_MILLIS} ms (it is then killed)
   */
  private void awaitEntered(Process p) throws IOException {
    String link = "/proc/" + p.pid() + "/ns/net";
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ENTER_WAIT_MILLIS);
    while (p.isAlive()) {
      long now;
      try {
        now = Libc.fileStatus(link).inode();
      } catch (RuntimeException gone) {
        return; // exited meanwhile (a zombie has no namespaces)
      }
      if (now == namespaceInode) {
        return;
      }
      if (System.nanoTime() > deadline) {
        p.destroyForcibly();
        throw new IOException("process " + p.pid() + " (" + p.info().command().orElse("?") + ") did not enter "
            + description + " within " + ENTER_WAIT_MILLIS + " ms: it is in net:[" + now + "], not net:["
            + namespaceInode + "]");
      }
      LockSupport.parkNanos(100_000);
    }
  }

  /** Kills {@code p} and its descendants and waits for it, however often the caller is interrupted. */
  private void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(KILL_WAIT_MILLIS);
    boolean interrupted = false;
    try {
      while (p.isAlive()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException("process " + p.pid() + " in " + description + " did not exit within "
              + KILL_WAIT_MILLIS + " ms of SIGKILL");
        }
        try {
          p.waitFor(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
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
   * Refuses further starts, kills every process started here and its descendants, waits for
   * them, closes the pipes of those it killed, then stops the launcher thread (idle by then: its
   * processes are dead, so its exit signals nobody). Starts that were waiting for the launcher
   * fail with {@link NamespaceAccess#closed()}.
   */
  @Override
  public void close() {
    ExecutorService l;
    synchronized (lock) { // waits for a fork in progress, whose process is then registered
      closed = true;
      l = launcher;
    }
    FailureCollector failures = new FailureCollector();
    List<Process> killed = alive();
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : processes) {
      failures.run(() -> kill(p));
    }
    for (Process p : killed) {
      closeStreams(p); // nobody reads a process we killed; else its pipes stay open until a GC
    }
    if (l != null) {
      l.shutdownNow(); // queued starts fail with closed(), see NamespaceExecutor
      try {
        if (!l.awaitTermination(KILL_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          failures.add(new IllegalStateException("the process launcher of " + description + " did not stop within "
              + KILL_WAIT_MILLIS + " ms"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
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
