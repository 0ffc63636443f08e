package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.internal.netlink.SockDiag;
import dev.nsunit.model.NamespaceId;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A network namespace held by an open file descriptor, with the netlink sockets, threads and
 * processes that work inside it. Each of those is a part of its own ({@link NamespaceFd},
 * {@link NetlinkSockets}, {@link NamespaceThreadPool}, {@link ProcessLauncher}); this class
 * ties their lifetimes together.
 *
 * <p>{@link #close()} releases the parts in order and never deletes interfaces itself: dropping
 * the namespace lets the kernel batch that work, and it does the same if the JVM is killed.
 *
 * <p>{@link #close()} never strands a caller: a {@link #call} or {@link #start} running at the
 * same time returns with its result or with the exception every use after close gets,
 * "network namespace NAME (...) is closed; create a new one instead of reusing it". A process
 * whose start races close() is killed by it.
 *
 * <p>A namespace nobody receives is closed too. A {@link #create} or {@link #open} whose caller
 * is interrupted closes what it made and throws, since an interrupted caller may have been
 * abandoned (by {@code assertTimeoutPreemptively}, a cancelled {@code Future}). And a
 * {@code Netns} that becomes unreachable without {@link #close()} (its caller was abandoned
 * before the interrupt came) has its descriptors closed by a {@link Cleaner}, as the JDK does
 * for a lost {@code FileInputStream}. It cannot have threads or processes left by then: they
 * would keep it reachable. Whoever uses the raw {@link #fd()} must keep the {@code Netns}
 * reachable meanwhile.
 *
 * <p>A {@link #start} whose caller is interrupted leaves no process.
 */
public final class Netns implements AutoCloseable {
  /**
   * Closes the descriptors of a Netns dropped without close(). Its one daemon thread,
   * {@code nsunit-cleaner}, lives as long as the JVM, in the JVM's startup namespace: it is made
   * by whichever thread first uses this class, and must not pin that thread's namespace.
   */
  private static final Cleaner CLEANER = Cleaner.create(task -> new Thread(() -> {
    NamespaceThreads.joinStartupNamespace();
    task.run();
  }, "nsunit-cleaner"));

  private final NamespaceFd fd;
  private final NetlinkSockets sockets;
  private final NamespaceThreadPool threads;
  private final ProcessLauncher processes;
  private final String description;
  private final Object lock = new Object();
  private final Cleaner.Cleanable descriptors;
  private boolean closed; // guarded by lock
  private ProcessView view; // guarded by lock; built by the first start() that asks for one
  // a pooled namespace's idle packet socket until taken, else -1; shared with the cleaner
  private final AtomicInteger untakenPacketSocket;

  private Netns(Opened opened, String description) {
    int fd = opened.fd();
    Rtnetlink rtnetlink = opened.rt();
    this.fd = new NamespaceFd(fd, Libc.getsockoptLong(rtnetlink.socket().fd(), Libc.SOL_SOCKET,
        Libc.SO_NETNS_COOKIE));
    this.description = description;
    NamespaceId id = this.fd.id();
    this.untakenPacketSocket = new AtomicInteger(opened.packetFd());
    this.sockets = new NetlinkSockets(rtnetlink, opened.diag(), fd, () -> closedException(description, id));
    NamespaceAccess access = new Access();
    this.threads = new NamespaceThreadPool(description, access);
    String path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
    // the identity's inode comes from the fd's /proc link, which names a file opened under
    // /run/netns by its path instead: only then is it asked of the kernel, off the hot path
    long inode = id.inode() >= 0 ? id.inode() : Libc.fileStatus(fd).inode();
    this.processes = ProcessGuard.canEnter()
        ? new ProcessLauncher(description, access, () -> ProcessLauncher.outsideLauncher(description, access), path,
            inode)
        : new ProcessLauncher(description, access, () -> threads.singleThread("nsunit-launcher-"), null, -1);
    this.descriptors = CLEANER.register(this, new Descriptors(sockets, this.fd, untakenPacketSocket));
  }

  /**
   * Closes the netlink sockets, then the descriptor that holds the namespace. Run once: by
   * {@link #close()}, or by the cleaner. It must not refer to the Netns, or the Netns would
   * never become unreachable.
   */
  private record Descriptors(NetlinkSockets sockets, NamespaceFd fd, AtomicInteger packetSocket) implements Runnable {
    @Override
    public void run() {
      FailureCollector failures = new FailureCollector();
      int p = packetSocket.getAndSet(-1);
      if (p >= 0) {
        failures.run(() -> Libc.close(p));
      }
      failures.run(sockets::close);
      failures.run(fd::close);
      failures.throwIfAny();
    }
  }

  /** What the parts may ask of this namespace; private, so it adds no public methods. */
  private final class Access implements NamespaceAccess {
    @Override
    public void enter() {
      Netns.this.enter();
    }

    @Override
    public void requireOpen() {
      Netns.this.requireOpen();
    }

    @Override
    public IllegalStateException closed() {
      return closedException();
    }
  }

  /**
   * Creates a new, empty namespace with {@code lo} up (the kernel then adds 127.0.0.1/8 and ::1).
   * Equivalent to: {@code ip netns add X; ip -n X link set lo up}, without the bind mount.
   */
  public static Netns create(String description) {
    Objects.requireNonNull(description, "description");
    Opened pooled = NamespacePool.shared().takeBlank();
    return pooled != null ? adopt(pooled, description) : createUnpooled(description);
  }

  /**
   * Like {@link #create}, never from the pool: for the lab's own namespaces, which live as long as
   * the JVM and need none of the sockets a pooled namespace comes with.
   */
  static Netns createUnpooled(String description) {
    Objects.requireNonNull(description, "description");
    Opened made = NamespaceThreads.inNewNamespace(() -> Opened.in("/proc/thread-self/ns/net"));
    return handOver(made.finish(description, true), "creating");
  }

  /**
   * Wraps a namespace {@link NamespacePool} prepared ({@code lo} already up) into a Netns; it then
   * belongs to the Netns.
   */
  static Netns adopt(Opened pooled, String description) {
    return handOver(pooled.finish(description, false), "creating");
  }

  /** Opens the JVM's own (startup) namespace: the one {@code /proc/self/ns/net} names. */
  public static Netns host() {
    return open(Path.of("/proc/self/ns/net"), "host");
  }

  /**
   * Opens the namespace a file names: {@code /proc/<pid>/ns/net} or {@code /run/netns/<name>}.
   *
   * @throws IllegalArgumentException if the file is not a network namespace (see {@link NamespaceFile})
   */
  public static Netns open(Path path, String description) {
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(description, "description");
    int fd = NamespaceFile.openNetwork(path);
    Rtnetlink rt;
    try {
      rt = NamespaceThreads.inNamespace(fd, Rtnetlink::open);
    } catch (RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
    return handOver(new Opened(fd, rt).finish(description, false), "opening");
  }

  /**
   * Returns {@code ns} to its caller, unless the caller was interrupted meanwhile: then nobody may
   * be waiting for the result (an abandoned {@code assertTimeoutPreemptively}, a cancelled
   * {@code Future}), and a namespace nobody receives would stay open until the JVM exits. So it
   * is closed, and the caller, if still there, learns why. The interrupt flag stays set.
   */
  private static Netns handOver(Netns ns, String doing) {
    if (Thread.currentThread().isInterrupted()) {
      ns.close();
      throw new IllegalStateException("interrupted while " + doing + " network namespace " + ns.description
          + "; it was closed again, because whoever interrupted the caller may no longer be waiting for it");
    }
    return ns;
  }

  /**
   * A namespace fd and an rtnetlink socket opened inside it, not yet owned by a {@link Netns}; a
   * pooled one also has a sock_diag socket and an idle packet socket (for the capture), opened
   * inside it ahead of time, so that a test needs no trip to the maker ({@code null}, {@code -1}
   * otherwise).
   */
  record Opened(int fd, Rtnetlink rt, SockDiag diag, int packetFd) {
    Opened(int fd, Rtnetlink rt) {
      this(fd, rt, null, -1);
    }

    /** Like {@link #in}, with the sock_diag and packet sockets a pooled namespace comes with. */
    static Opened prepared(String nsPath) {
      Opened o = in(nsPath);
      SockDiag diag = null;
      try {
        diag = SockDiag.open();
        return new Opened(o.fd(), o.rt(), diag, Libc.packetSocketIdle());
      } catch (RuntimeException e) {
        if (diag != null) {
          diag.close();
        }
        o.close();
        throw e;
      }
    }

    /** Closes everything, for one nobody will own. */
    void close() {
      if (packetFd >= 0) {
        Libc.close(packetFd);
      }
      if (diag != null) {
        diag.close();
      }
      rt.close();
      Libc.close(fd);
    }

    /** Opens the namespace file {@code nsPath} and an rtnetlink socket in the calling thread's namespace. */
    static Opened in(String nsPath) {
      int fd = Libc.openReadOnly(nsPath);
      try {
        return new Opened(fd, Rtnetlink.open());
      } catch (RuntimeException e) {
        Libc.close(fd);
        throw e;
      }
    }

    Netns finish(String description, boolean bringLoopbackUp) {
      try {
        if (bringLoopbackUp) {
          rt.setUp(1, true); // lo is always ifindex 1 in a new namespace
        }
        return new Netns(this, description);
      } catch (RuntimeException e) {
        close();
        throw e;
      }
    }
  }

  /**
   * Moves the calling thread into the JVM's startup namespace, for a long-lived thread that may
   * have been started from a namespaced one and must not pin that namespace.
   */
  public static void enterStartupNamespace() {
    NamespaceThreads.joinStartupNamespace();
  }

  /** The inode of the calling thread's network namespace, e.g. to prove it never changed. */
  public static long currentThreadNamespaceInode() {
    return NsfsLink.currentThreadInode();
  }

  /** Whether this is the JVM's startup namespace ({@code /proc/self/ns/net}). */
  public boolean isStartupNamespace() {
    return fd.isStartupNamespace();
  }

  /**
   * The descriptor that holds the namespace; valid until {@link #close()}, and while this
   * {@code Netns} is reachable (see the class comment).
   */
  public int fd() {
    requireOpen();
    return fd.fd();
  }

  /** The identity: the kernel's never-reused namespace cookie, plus the inode for display. */
  public NamespaceId id() {
    return fd.id();
  }

  /** What this namespace is, for messages: {@code "host"}, {@code "endpoint web"}, a path... */
  public String description() {
    return description;
  }

  /** rtnetlink on this namespace. */
  public Rtnetlink rtnetlink() {
    requireOpen();
    return sockets.rtnetlink();
  }

  /**
   * Runs {@code read}, which uses {@link #rtnetlink()} or {@link #sockDiag()}. A read that
   * {@link #close()} overtakes, closing a socket under it, fails like every use after close
   * ("network namespace NAME (...) is closed; ..."), not with the socket's own error, which is
   * kept as the cause.
   */
  public <T> T inspect(Supplier<T> read) {
    requireOpen();
    try {
      return read.get();
    } catch (RuntimeException e) {
      if (isClosed()) {
        IllegalStateException closed = closedException();
        closed.initCause(e);
        throw closed;
      }
      throw e;
    }
  }

  /**
   * Runs a short set-up {@code task} (open a socket, no blocking) inside this namespace on the
   * shared maker thread, which costs no thread of the namespace's own; the caller waits.
   */
  public <T> T setUp(Callable<T> task) {
    Objects.requireNonNull(task, "task");
    synchronized (lock) {
      requireOpen();
      return NamespaceThreads.inNamespace(fd.fd(), task);
    }
  }

  /**
   * Hands over the idle packet socket a pooled namespace came with (see {@link Opened}), once; the
   * caller binds and closes it. {@code -1} if there is none.
   */
  public int takePreparedPacketSocket() {
    requireOpen();
    return untakenPacketSocket.getAndSet(-1);
  }

  /**
   * Whether this namespace's sock_diag socket is open already (a pooled namespace comes with one;
   * the leak check and the escape check open it), so that {@link #sockDiag()} costs no trip to
   * the namespace maker.
   */
  public boolean hasSockDiag() {
    return sockets.hasSockDiag();
  }

  /** sock_diag on this namespace; its socket is opened on first use. */
  public SockDiag sockDiag() {
    requireOpen(); // also when cached: after close() its descriptor number may belong to someone else
    return sockets.sockDiag();
  }

  /**
   * A factory of platform threads that enter this namespace before running their task. A thread
   * started after {@link #close()} fails before running anything. {@code newThread(null)} throws
   * {@link NullPointerException}.
   */
  public ThreadFactory threadFactory() {
    return threads.threadFactory();
  }

  /** Moves the calling thread, which must be one of ours, into this namespace. */
  private void enter() {
    synchronized (lock) {
      requireOpen(); // checked under the lock, so the fd cannot be closed and reused meanwhile
      NamespaceThreads.join(fd.fd());
    }
  }

  /** A cached pool of threads inside this namespace, shut down by {@link #close()}. */
  public ExecutorService executor() {
    requireOpen();
    return threads.executor();
  }

  /**
   * Runs {@code task} on a platform thread inside this namespace and returns its result. The
   * task's own exception is rethrown unchanged. If {@link #close()} comes first, throws the
   * closed exception; if it comes while the task runs, the task is interrupted.
   */
  public <T> T call(Callable<T> task) throws Exception {
    Objects.requireNonNull(task, "task");
    requireOpen();
    return threads.call(task);
  }

  /**
   * Starts a process inside this namespace. The process dies with the JVM, even on
   * {@code kill -9}: it is exec'd through {@code setpriv --pdeathsig KILL --} (util-linux), which
   * sets {@code PR_SET_PDEATHSIG} and then execs the command in place, so the returned
   * {@link Process} is the command itself (same pid, streams, exit code). The builder's command,
   * directory, environment and redirects are kept; a program that cannot be found still fails
   * here with an {@link IOException}. For the first moments, until setpriv's exec,
   * {@code /proc/PID} shows {@code setpriv}.
   *
   * <p>Only the direct child carries the signal: a grandchild that detaches (a daemon that
   * double-forks) survives a JVM crash. {@link #close()} kills descendants too, also of a process
   * whose start raced it.
   *
   * @throws java.io.InterruptedIOException if the caller is interrupted; then no process is
   *     left: either it was never started, or it was killed (the interrupt flag stays set)
   */
  public Process start(ProcessBuilder builder) throws IOException {
    Objects.requireNonNull(builder, "builder");
    requireOpen();
    return processes.start(builder);
  }

  /**
   * Like {@link #start(ProcessBuilder)}, and the process also sees the namespace's
   * {@link ProcessView} (its host name and {@code /etc} files), which {@code view} builds on the
   * first call; every later process shares it, and it is closed with the namespace. Where
   * processes cannot enter namespaces themselves ({@code nsenter} is missing), there is no view.
   */
  public Process start(ProcessBuilder builder, Supplier<ProcessView> view) throws IOException {
    Objects.requireNonNull(builder, "builder");
    requireOpen();
    if (!processes.entersItself()) {
      return processes.start(builder);
    }
    List<String> options;
    synchronized (lock) {
      if (closed) {
        throw closedException();
      }
      if (this.view == null) {
        this.view = view.get();
      }
      // read under the lock: close() marks the namespace closed before it closes the view, and
      // its processes (which refuse new launches) before that
      options = this.view.nsenterOptions();
    }
    return processes.start(builder, options);
  }

  /** The view built for processes, if one was. */
  public Optional<ProcessView> processView() {
    synchronized (lock) {
      return Optional.ofNullable(view);
    }
  }

  /** The processes started here that are still alive. */
  public List<Process> processes() {
    return processes.alive();
  }

  /** Threads of ours that are inside this namespace right now. */
  public Set<Thread> liveThreads() {
    return threads.liveThreads();
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
        throw closedException();
      }
    }
  }

  private IllegalStateException closedException() {
    return closedException(description, fd.id());
  }

  private static IllegalStateException closedException(String description, NamespaceId id) {
    return new IllegalStateException("network namespace " + description + " (" + id
        + ") is closed; create a new one instead of reusing it");
  }

  /**
   * Releases the parts in order: processes first (they die before the thread that forked them
   * exits), then the threads, the netlink sockets, and last the descriptor that holds the
   * namespace. Idempotent; a failing step does not stop the later ones, and the first failure is
   * thrown with the others suppressed.
   */
  @Override
  public void close() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
    }
    FailureCollector failures = new FailureCollector();
    failures.run(processes::close);
    failures.run(() -> {
      ProcessView v;
      synchronized (lock) {
        v = view;
      }
      if (v != null) {
        v.close();
      }
    });
    failures.run(threads::close);
    failures.run(descriptors::clean);
    failures.throwIfAny();
  }

  @Override
  public String toString() {
    return description + " (" + fd.id() + ")";
  }
}
