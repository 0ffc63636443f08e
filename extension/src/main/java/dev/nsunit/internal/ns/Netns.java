package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.internal.netlink.SockDiag;
import dev.nsunit.model.NamespaceId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A network namespace held by an open file descriptor, with an rtnetlink socket inside it.
 * Nothing is bind-mounted: when the last holder (this fd, a socket, a thread, a process) goes
 * away, the kernel frees the namespace and every interface in it, even if the JVM was killed.
 *
 * <p>{@link #close()} releases the fd, the sockets and every thread this object started; it never
 * deletes interfaces itself, because dropping the namespace lets the kernel batch that work.
 */
public final class Netns implements AutoCloseable {
  private static final AtomicInteger THREADS = new AtomicInteger();
  private static final long CLOSE_WAIT_MILLIS = 5_000;

  private final int fd;
  private final Rtnetlink rtnetlink;
  private final NamespaceId id;
  private final String description;
  private final Object lock = new Object();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final Set<Thread> poolThreads = ConcurrentHashMap.newKeySet(); // executor's and launcher's, joined by close()
  private final Set<Process> processes = ConcurrentHashMap.newKeySet();
  private volatile SockDiag sockDiag;
  private ExecutorService executor;
  private ExecutorService launcher;
  private boolean closed;

  private Netns(int fd, Rtnetlink rtnetlink, String description) {
    this.fd = fd;
    this.rtnetlink = rtnetlink;
    this.description = description;
    this.id = new NamespaceId(Libc.getsockoptLong(rtnetlink.socket().fd(), Libc.SOL_SOCKET,
        Libc.SO_NETNS_COOKIE), inodeOf(fd));
  }

  /**
   * Creates a new, empty namespace with {@code lo} up (the kernel then adds 127.0.0.1/8 and ::1).
   * Equivalent to: {@code ip netns add X; ip -n X link set lo up}, without the bind mount.
   */
  public static Netns create(String description) {
    Holder h = NamespaceThreads.inNewNamespace(() -> open("/proc/thread-self/ns/net"));
    return finish(h, description, true);
  }

  /** Opens the JVM's own (startup) namespace: the one {@code /proc/self/ns/net} names. */
  public static Netns host() {
    return open(Path.of("/proc/self/ns/net"), "host");
  }

  /** Opens the namespace a file names: {@code /proc/<pid>/ns/net} or {@code /run/netns/<name>}. */
  public static Netns open(Path path, String description) {
    int fd = Libc.openReadOnly(path.toString());
    try {
      Rtnetlink rt = NamespaceThreads.inNamespace(fd, Rtnetlink::open);
      return finish(new Holder(fd, rt), description, false);
    } catch (RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }

  private record Holder(int fd, Rtnetlink rt) {}

  private static Holder open(String nsPath) {
    int fd = Libc.openReadOnly(nsPath);
    try {
      return new Holder(fd, Rtnetlink.open());
    } catch (RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }

  private static Netns finish(Holder h, String description, boolean bringLoopbackUp) {
    try {
      if (bringLoopbackUp) {
        h.rt().setUp(1, true); // lo is always ifindex 1 in a new namespace
      }
      return new Netns(h.fd(), h.rt(), description);
    } catch (RuntimeException e) {
      h.rt().close();
      Libc.close(h.fd());
      throw e;
    }
  }

  private static long inodeOf(int fd) {
    try {
      return parseInode(Libc.readlink("/proc/self/fd/" + fd));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The inode of the calling thread's network namespace, e.g. to prove it never changed. */
  public static long currentThreadNamespaceInode() {
    try {
      return parseInode(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/thread-self/ns/net", e);
    }
  }

  /**
   * Whether this is the JVM's startup namespace ({@code /proc/self/ns/net}). Comparing inodes is
   * sound here, unlike across time: both namespaces are alive while we compare (ours is held by
   * our fd, the startup one by the JVM's first thread), so no inode can have been reused.
   */
  public boolean isStartupNamespace() {
    if (id.inode() < 0) {
      try (Netns host = host()) {
        return host.id().equals(id);
      }
    }
    return id.inode() == parseInode(Libc.readlink("/proc/self/ns/net"));
  }

  /** The inode in an nsfs link target such as {@code net:[4026532000]}. */
  private static long parseInode(String target) {
    return Long.parseLong(target.substring(target.indexOf('[') + 1, target.length() - 1));
  }

  /** The descriptor that holds the namespace; valid until {@link #close()}. */
  public int fd() {
    requireOpen();
    return fd;
  }

  /** The identity: the kernel's never-reused namespace cookie, plus the inode for display. */
  public NamespaceId id() {
    return id;
  }

  /** What this namespace is, for messages: {@code "host"}, {@code "endpoint web"}, a path... */
  public String description() {
    return description;
  }

  /** rtnetlink on this namespace. */
  public Rtnetlink rtnetlink() {
    requireOpen();
    return rtnetlink;
  }

  /** sock_diag on this namespace; its socket is opened on first use. */
  public SockDiag sockDiag() {
    requireOpen(); // also when cached: after close() its descriptor number may belong to someone else
    SockDiag d = sockDiag;
    if (d == null) {
      synchronized (lock) {
        requireOpen();
        d = sockDiag;
        if (d == null) {
          d = NamespaceThreads.inNamespace(fd, SockDiag::open);
          sockDiag = d;
        }
      }
    }
    return d;
  }

  /**
   * A factory of platform threads that enter this namespace before running their task. A thread
   * started after {@link #close()} fails before running anything.
   */
  public ThreadFactory threadFactory() {
    return task -> {
      Thread t = new Thread(() -> {
        enter();
        threads.add(Thread.currentThread());
        try {
          task.run();
        } finally {
          threads.remove(Thread.currentThread());
        }
      }, "nsunit-" + description.replace(' ', '-') + "-" + THREADS.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Moves the calling thread, which must be one of ours, into this namespace. */
  private void enter() {
    synchronized (lock) {
      requireOpen(); // checked under the lock, so the fd cannot be closed and reused meanwhile
      NamespaceThreads.join(fd);
    }
  }

  /** A cached pool of threads inside this namespace, shut down by {@link #close()}. */
  public ExecutorService executor() {
    synchronized (lock) {
      requireOpen();
      if (executor == null) {
        ThreadFactory inside = threadFactory();
        executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 30, TimeUnit.SECONDS,
            new SynchronousQueue<>(), pooled(threadFactory()));
      }
      return executor;
    }
  }

  /**
   * Runs {@code task} on a platform thread inside this namespace and returns its result. The
   * task's own exception is rethrown unchanged.
   */
  public <T> T call(Callable<T> task) throws Exception {
    Future<T> f = executor().submit(task);
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof Exception) {
        throw (Exception) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw e;
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    }
  }

  /**
   * Starts a process inside this namespace. The process dies with the JVM, even on
   * {@code kill -9}: it is exec'd through {@code setpriv --pdeathsig KILL --} (util-linux), which
   * sets {@code PR_SET_PDEATHSIG} and then execs the command in place, so the returned
   * {@link Process} is the command itself (same pid, streams, exit code). Linux sends that
   * signal when the <em>thread</em> that forked the child exits, so every process of this
   * namespace is forked from one launcher thread that lives until {@link #close()}, which kills
   * the processes anyway. The builder's command, directory, environment and redirects are kept;
   * a program that cannot be found still fails here with an {@link IOException}. For the first
   * moments, until setpriv's exec, {@code /proc/PID} shows {@code setpriv}.
   *
   * <p>Only the direct child carries the signal: a grandchild that detaches (a daemon that
   * double-forks) survives a JVM crash. {@link #close()} kills descendants too.
   */
  public Process start(ProcessBuilder builder) throws IOException {
    ProcessBuilder guarded = ProcessGuard.guard(builder);
    ExecutorService launcher = launcher();
    Future<Process> f = launcher.submit(guarded::start);
    try {
      Process p = f.get();
      processes.add(p);
      return p;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException) {
        throw (IOException) cause;
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new IOException("cannot start " + builder.command() + " in " + description, cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting " + builder.command() + " in " + description, e);
    }
  }

  private ThreadFactory pooled(ThreadFactory inside) {
    return task -> {
      Thread t = inside.newThread(task);
      poolThreads.add(t);
      return t;
    };
  }

  /** The long-lived thread that forks this namespace's processes (see {@link #start}). */
  private ExecutorService launcher() {
    synchronized (lock) {
      requireOpen();
      if (launcher == null) {
        ThreadFactory inside = pooled(threadFactory());
        launcher = Executors.newSingleThreadExecutor(task -> {
          Thread t = inside.newThread(task);
          t.setName("nsunit-launcher-" + description.replace(' ', '-') + "-" + THREADS.incrementAndGet());
          return t;
        });
      }
      return launcher;
    }
  }

  /** The processes started here that are still alive. */
  public List<Process> processes() {
    List<Process> out = new ArrayList<>();
    for (Process p : processes) {
      if (p.isAlive()) {
        out.add(p);
      }
    }
    return out;
  }

  /** Threads of ours that are inside this namespace right now. */
  public Set<Thread> liveThreads() {
    return Set.copyOf(threads);
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void requireOpen() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("network namespace " + description + " (" + id
            + ") is closed; create a new one instead of reusing it");
      }
    }
  }

  /**
   * Releases everything: destroys processes started here, stops the executor's threads, closes
   * the netlink sockets and the fd. Idempotent. Failures are collected as suppressed exceptions
   * on the first.
   */
  @Override
  public void close() {
    ExecutorService ex;
    ExecutorService forker;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      ex = executor;
      forker = launcher;
    }
    RuntimeException failure = null;
    List<Process> killed = new ArrayList<>();
    for (Process p : processes) {
      if (p.isAlive()) {
        killed.add(p);
      }
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          failure = addFailure(failure, new IllegalStateException("process " + p.pid() + " in "
              + description + " did not exit within " + CLOSE_WAIT_MILLIS + " ms of SIGKILL"));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (Process p : killed) {
      closeStreams(p); // nobody reads a process we killed; else its pipes stay open until a GC
    }
    if (forker != null) {
      forker.shutdownNow(); // idle: its processes are dead, so its exit signals nobody
    }
    if (ex != null || forker != null) {
      // only our pools' threads: a thread the caller made with threadFactory() is the caller's to
      // stop (the extension reports those a test leaves behind)
      List<Thread> workers = List.copyOf(poolThreads);
      if (ex != null) {
        ex.shutdownNow();
      }
      try {
        if (ex != null && !ex.awaitTermination(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
          failure = addFailure(failure, new IllegalStateException("threads still running in "
              + description + " " + threads + " " + CLOSE_WAIT_MILLIS + " ms after close(); they keep the namespace alive"));
        }
        for (Thread t : workers) {
          t.join(CLOSE_WAIT_MILLIS); // awaitTermination returns before the worker threads are gone
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    SockDiag d = sockDiag;
    try {
      if (d != null) {
        d.close();
      }
      rtnetlink.close();
    } catch (NativeCallException e) {
      failure = addFailure(failure, e);
    }
    try {
      Libc.close(fd);
    } catch (NativeCallException e) {
      failure = addFailure(failure, e);
    }
    if (failure != null) {
      throw failure;
    }
  }

  private static void closeStreams(Process p) {
    for (java.io.Closeable c : new java.io.Closeable[] {p.getOutputStream(), p.getInputStream(), p.getErrorStream()}) {
      try {
        c.close();
      } catch (IOException e) {
        // already closed or broken: nothing left to release
      }
    }
  }

  private static RuntimeException addFailure(RuntimeException first, RuntimeException next) {
    if (first == null) {
      return next;
    }
    first.addSuppressed(next);
    return first;
  }

  @Override
  public String toString() {
    return description + " (" + id + ")";
  }
}
