package dev.nsunit.internal.escape;

import dev.nsunit.internal.escape.OwnSockets.OwnSocket;
import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.internal.netlink.InetSocketDump;
import dev.nsunit.internal.netlink.SockDiagEntry;
import dev.nsunit.internal.netlink.SockDiagEvents;
import dev.nsunit.internal.ns.Futures;
import dev.nsunit.internal.ns.NsfsLink;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Watches one network namespace (normally the JVM's own) for TCP and UDP sockets that this JVM
 * opens there while a {@link Window} is open: the body of a test that runs in a namespace of its
 * own, whose code should open no socket here. One monitor per namespace; the JVM's is opened on
 * first use and lives as long as the JVM ({@link #forJvm()}).
 *
 * <h2>How a window sees sockets</h2>
 * <ul>
 *   <li>At its start: this JVM's sockets in the namespace, read through its own descriptors
 *       ({@link OwnSockets}), and a sock_diag dump of the namespace's UDP sockets and TCP
 *       listeners (in a shared namespace, usually the last window's end dump: see
 *       {@link #startSnapshot()}), so that sockets that already existed are never counted; then it joins the
 *       sock_diag destroy groups, so the kernel reports every TCP and UDP socket destroyed in the
 *       namespace from then on.
 *   <li>At its end: the same again (sockets still open), then a barrier, then the destroy events
 *       (sockets that opened and closed meanwhile).
 *   <li>TCP connections of other processes, and of this JVM's sockets that it has closed but that
 *       are still shutting down, can only be listed by walking the kernel's whole connection
 *       table, which costs about 1 ms. That dump is made only when the kernel counts such
 *       closing ("orphan") sockets anywhere ({@code /proc/net/sockstat}).
 * </ul>
 * {@link Attribution} then decides which of those sockets are this JVM's.
 *
 * <h2>The barrier</h2>
 * The kernel sends destroy events from a per-CPU workqueue, a little after the socket is gone.
 * To know that every socket closed before the window's end has been reported, the monitor's thread
 * runs on each CPU it may use in turn, opens and closes a UDP socket there (its cookie known from
 * {@code SO_COOKIE}) and waits until those sockets' own destroy events have arrived: each CPU's
 * queue runs in order, so earlier events have arrived too. Sockets destroyed on a CPU this JVM may
 * not run on, or whose destruction a busy workqueue runs out of order, can still arrive late: they
 * are then missed, or seen by the next window that overlaps them.
 *
 * <h2>Threads and cost</h2>
 * The monitor's sockets and files are opened on its daemon thread, {@value #THREAD_NAME}, inside
 * the watched namespace, and stay bound to it whichever thread uses them. So a window is opened
 * and ended on the caller's own thread (any thread, including one inside another namespace),
 * under the monitor's lock, without handing work to another thread while a test waits; only a
 * barrier's sockets, which must be made inside the namespace, are made by the monitor's thread.
 * Two sockets (a sock_diag socket for dumps and one for events) live as long as the monitor. The
 * destroy groups are joined only while a window is open: between windows the kernel sends
 * nothing. {@link EscapeReport#costNanos()} says what a window cost.
 */
public final class EscapeMonitor implements AutoCloseable {
  /** The name of the monitor's thread. */
  public static final String THREAD_NAME = "nsunit-escape-monitor";
  /** How long a barrier waits for its own events before the window is reported as incomplete. */
  static final long BARRIER_TIMEOUT_MILLIS = 5_000;

  private static final Object JVM_LOCK = new Object();
  private static volatile EscapeMonitor jvm;
  /**
   * Cookies of the barriers' sockets of every monitor, newest last: another monitor of the same
   * namespace (a test's) receives their destroy events too. Bounded; guarded by itself.
   */
  private static final LinkedHashSet<Long> SENTINELS = new LinkedHashSet<>();
  private static final int SENTINELS_KEPT = 4096;

  private final String nsPath;
  private final long namespaceInode;
  private final ExecutorService worker;
  private volatile Thread thread;
  // guarded by this; opened by the worker, in the namespace
  private InetSocketDump dump;
  private SockDiagEvents events;
  private ProcNetFile snmp;
  private ProcNetFile snmp6;
  private ProcNetFile sockstat;
  private long namespaceCookie;
  private String eventsUnavailable; // why destroy events cannot be used, or null
  private boolean privateNamespace;
  private List<String> sharedWith = List.of();
  private final List<Window> active = new ArrayList<>();
  /** The counters the last window's end read, for the next window's start (used once), or null. */
  private TrafficCounters lastCounters;
  /** What the last window's end dumped, for the next window's start (used once; see startSnapshot), or null. */
  private List<SockDiagEntry> lastEndDump;
  private long windowsOpened;
  private boolean closed;

  private EscapeMonitor(String nsPath, String description, Boolean privateOverride) {
    this.nsPath = nsPath;
    this.namespaceInode = NsfsLink.parseInode(Libc.readlink(nsPath));
    this.worker = Executors.newSingleThreadExecutor(task -> {
      Thread t = new Thread(task, THREAD_NAME + (description.isEmpty() ? "" : "-" + description));
      t.setDaemon(true);
      thread = t;
      return t;
    });
    try {
      onWorker(() -> {
        synchronized (this) {
          start(privateOverride);
        }
        return null;
      });
    } catch (RuntimeException e) {
      close();
      throw e;
    }
  }

  /** The monitor of the JVM's own namespace ({@code /proc/self/ns/net}), opened on first use. */
  public static EscapeMonitor forJvm() {
    EscapeMonitor m = jvm;
    if (m == null) {
      synchronized (JVM_LOCK) {
        m = jvm;
        if (m == null) {
          m = new EscapeMonitor("/proc/self/ns/net", "", null);
          jvm = m;
        }
      }
    }
    return m;
  }

  /** The JVM's monitor if it has been opened, e.g. for a leak check that must not count it. */
  public static Optional<EscapeMonitor> existingForJvm() {
    return Optional.ofNullable(jvm);
  }

  /**
   * A monitor of the namespace {@code nsPath} names (e.g. {@code /proc/self/fd/N} of a namespace
   * a test made), which the caller closes.
   *
   * @param privateNamespace whether to treat it as used only by this JVM; empty: find out by
   *     looking at every process's namespace, as the JVM's monitor does
   */
  public static EscapeMonitor open(String nsPath, String description, Optional<Boolean> privateNamespace) {
    return new EscapeMonitor(nsPath, description, privateNamespace.orElse(null));
  }

  /** On the worker, under the lock: enters the namespace, opens the sockets, checks that events arrive. */
  private void start(Boolean privateOverride) {
    enter();
    dump = InetSocketDump.open();
    events = SockDiagEvents.open();
    namespaceCookie = Libc.getsockoptLong(events.fd(), Libc.SOL_SOCKET, Libc.SO_NETNS_COOKIE);
    snmp = new ProcNetFile("snmp");
    snmp6 = new ProcNetFile("snmp6");
    sockstat = new ProcNetFile("sockstat");
    if (privateOverride != null) {
      privateNamespace = privateOverride;
    } else {
      sharedWith = NamespaceSharing.othersIn(namespaceInode);
      privateNamespace = sharedWith.isEmpty();
    }
    try {
      events.subscribe();
      if (!barrier(new ArrayList<>())) {
        eventsUnavailable = "the kernel sent no sock_diag destroy event for a test socket within "
            + BARRIER_TIMEOUT_MILLIS + " ms";
      }
    } catch (NativeCallException e) {
      eventsUnavailable = "cannot join the sock_diag destroy groups: " + e.getMessage()
          + " (needs CAP_NET_ADMIN over the JVM's own network namespace)";
    } finally {
      if (events.isSubscribed()) {
        events.unsubscribe();
      }
    }
  }

  private void enter() {
    int fd = Libc.openReadOnly(nsPath);
    try {
      if (!Libc.readlink("/proc/self/fd/" + fd).equals(Libc.readlink("/proc/thread-self/ns/net"))) {
        Libc.setns(fd, Libc.CLONE_NEWNET);
      }
    } finally {
      Libc.close(fd);
    }
  }

  /**
   * Opens a window; close it with {@link Window#end()}.
   *
   * @param label what runs meanwhile, e.g. {@code "test connects()"}, for the reports of windows
   *     that overlap this one
   */
  public Window begin(String label) {
    synchronized (this) {
      requireOpen();
      long t0 = System.nanoTime();
      windowsOpened++;
      List<SockDiagEntry> got = new ArrayList<>();
      List<String> gaps = new ArrayList<>();
      if (!active.isEmpty() && events.isSubscribed()) {
        // what was destroyed so far belongs to the windows already open
        if (!barrier(got)) {
          for (Window a : active) {
            a.gaps.add("the kernel's destroy events came later than " + BARRIER_TIMEOUT_MILLIS + " ms");
          }
        }
        distribute(got, events.takeLost());
      }
      // before the snapshot: its sockets' traffic counts too. The last window's end read them
      // earlier still, which can only show more traffic (a barrier more), never less, and saves
      // reading two /proc files while the test waits
      TrafficCounters counters = lastCounters != null ? lastCounters : TrafficCounters.read(snmp, snmp6);
      lastCounters = null;
      Snapshot start = startSnapshot();
      if (eventsUnavailable == null && !events.isSubscribed()) {
        events.poll(new ArrayList<>()); // left over from the last window: older than this snapshot
        events.takeLost();
        events.subscribe(); // after the snapshot: a socket destroyed from now on was either in it or is new
      }
      Window w = new Window(label, start, gaps, counters);
      for (Window other : active) {
        other.overlapping.add(label);
        w.overlapping.add(other.label);
      }
      active.add(w);
      w.costNanos += System.nanoTime() - t0;
      return w;
    }
  }

  /** Under the lock: hands events to every open window, leaving out the barriers' own sockets. */
  private void distribute(List<SockDiagEntry> got, boolean lost) {
    for (SockDiagEntry e : got) {
      if (isSentinel(e.cookie())) {
        continue;
      }
      for (Window w : active) {
        w.destroyed.add(e);
      }
    }
    if (lost) {
      for (Window w : active) {
        w.gaps.add("the kernel dropped destroy events (the event socket's buffer overflowed)");
      }
    }
  }

  /**
   * Under the lock: has the worker open and close a UDP socket on each CPU it may use, and reads
   * events into {@code out} until their destroy events are there (which are left out). False on
   * timeout.
   */
  private boolean barrier(List<SockDiagEntry> out) {
    Set<Long> sentinels = Thread.currentThread() == thread ? sentinels() : onWorker(EscapeMonitor::sentinels);
    boolean arrived = events.await(sentinels, BARRIER_TIMEOUT_MILLIS, out);
    out.removeIf(e -> isSentinel(e.cookie()));
    return arrived;
  }

  /**
   * On the worker, inside the namespace: opens and closes a UDP socket on each CPU this thread may
   * use, and returns their cookies.
   */
  private static Set<Long> sentinels() {
    BitSet cpus = Libc.cpuAffinity();
    Set<Long> sentinels = new HashSet<>();
    try {
      for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
        BitSet one = new BitSet();
        one.set(cpu);
        try {
          Libc.setCpuAffinity(one);
        } catch (NativeCallException e) {
          continue; // went offline, or left our cpuset, meanwhile
        }
        int s = Libc.socket(Libc.AF_INET, Libc.SOCK_DGRAM, 0);
        try {
          long cookie = Libc.getsockoptLong(s, Libc.SOL_SOCKET, Libc.SO_COOKIE);
          sentinels.add(cookie);
          synchronized (SENTINELS) { // before its event exists, so that every monitor can leave it out
            SENTINELS.add(cookie);
            if (SENTINELS.size() > SENTINELS_KEPT) {
              SENTINELS.remove(SENTINELS.iterator().next());
            }
          }
        } finally {
          Libc.close(s);
        }
      }
    } finally {
      Libc.setCpuAffinity(cpus);
    }
    return sentinels;
  }

  private static boolean isSentinel(long cookie) {
    synchronized (SENTINELS) {
      return SENTINELS.contains(cookie);
    }
  }

  /**
   * Under the lock: a window's start. This JVM's own sockets are always read now. The dump of
   * other processes' sockets (which walks the machine's whole UDP and listener tables, about
   * 0.1 ms, while the test waits) is the last window's end dump when that can stand in for it:
   * in a namespace shared with other processes, whose sockets count only as the peer of a server
   * of this JVM, and when no TCP socket is closing anywhere (else a fresh dump of connections is
   * needed too). A socket another process opened since then and closes during this window is then
   * not known to have existed before it: counted only if it was a connected UDP socket talking to
   * a UDP socket of this JVM, which no test of this JVM's own namespace is expected to have.
   */
  private Snapshot startSnapshot() {
    List<SockDiagEntry> earlier = lastEndDump;
    lastEndDump = null;
    boolean closing = orphans() != 0;
    if (earlier == null || privateNamespace || closing) {
      return snapshot(closing);
    }
    return new Snapshot(earlier, OwnSockets.in(namespaceCookie));
  }

  /**
   * Under the lock: this JVM's sockets in the namespace, the namespace's UDP sockets and TCP
   * listeners, and, if asked, its TCP connections (see the class comment).
   */
  private Snapshot snapshot(boolean withConnections) {
    List<OwnSocket> own = OwnSockets.in(namespaceCookie);
    List<SockDiagEntry> dumped = dump.udpAndListeners();
    if (withConnections) {
      dumped.addAll(dump.tcpConnections());
    }
    return new Snapshot(dumped, own);
  }

  /**
   * Under the lock: TCP sockets closed by their owners and still shutting down, in all
   * namespaces ({@code TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 0} in sockstat); -1 if unknown.
   */
  private long orphans() {
    try {
      String text = sockstat.read();
      int at = text.indexOf(" orphan ", text.indexOf("TCP:"));
      int from = at + " orphan ".length();
      int to = from;
      while (to < text.length() && Character.isDigit(text.charAt(to))) {
        to++;
      }
      return Long.parseLong(text, from, to, 10);
    } catch (RuntimeException e) {
      return -1; // then dump: the cost is the price of not knowing
    }
  }

  /** Under the lock: ends {@code w}. */
  private EscapeReport end(Window w) {
    long t0 = System.nanoTime();
    if (!active.contains(w)) {
      throw new IllegalStateException("window \"" + w.label + "\" has already ended");
    }
    try {
      Snapshot end = snapshot(false);
      // after the snapshot: traffic up to it counts
      TrafficCounters now = TrafficCounters.read(snmp, snmp6);
      boolean traffic = !now.unchangedSince(w.counters);
      lastCounters = now;
      lastEndDump = end.dumped();
      if (traffic && orphans() != 0) {
        // a connection made meanwhile may be closed and still shutting down: only a full dump shows it
        end = end.with(dump.tcpConnections());
      }
      if (events.isSubscribed()) {
        List<SockDiagEntry> got = new ArrayList<>();
        if (!traffic) {
          // no connection and no datagram in the namespace meanwhile: whatever closed carried
          // nothing, so there is no need to wait for the last events
          events.poll(got);
        } else if (!barrier(got)) {
          w.gaps.add("the kernel's destroy events came later than " + BARRIER_TIMEOUT_MILLIS + " ms");
        }
        distribute(got, events.takeLost());
      } else {
        w.gaps.add(eventsUnavailable != null ? eventsUnavailable : "destroy events were not subscribed");
      }
      List<Escape> escapes = Attribution.of(w.start, end, w.destroyed, Set.of(), privateNamespace);
      w.costNanos += System.nanoTime() - t0;
      return new EscapeReport(escapes, namespaceInode, privateNamespace, w.gaps, w.overlapping, w.costNanos);
    } finally {
      active.remove(w);
      if (active.isEmpty() && events.isSubscribed()) {
        events.unsubscribe();
      }
    }
  }

  /** The watched namespace's inode. */
  public long namespaceInode() {
    return namespaceInode;
  }

  /**
   * Whether only this JVM and the processes it started use the namespace (as under the rootless
   * launcher), so that every socket closed in it during a window is this JVM's. Decided once,
   * when the monitor opened.
   */
  public synchronized boolean isPrivateNamespace() {
    return privateNamespace;
  }

  /** Other processes in the namespace when the monitor opened, as {@code "PID (comm)"}. */
  public synchronized List<String> sharedWith() {
    return sharedWith;
  }

  /** Why sockets that open and close within a window cannot be seen, if they cannot. */
  public synchronized Optional<String> eventsUnavailable() {
    return Optional.ofNullable(eventsUnavailable);
  }

  /** How many windows have been opened. */
  public synchronized long windowsOpened() {
    return windowsOpened;
  }

  /** The descriptors the monitor holds while it lives (two sockets), for a leak check. */
  public int descriptorCount() {
    return 2;
  }

  /** Whether {@code t} is the monitor's own thread. */
  public boolean owns(Thread t) {
    return thread == t;
  }

  private <T> T onWorker(Callable<T> task) {
    try {
      // the task is short and bounded; its result keeps the state consistent
      return Futures.getUninterruptibly(worker.submit(task));
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }


  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException("the escape monitor of net:[" + namespaceInode + "] is closed");
    }
  }

  /** Closes the sockets and ends the thread; idempotent. The JVM's own monitor is never closed. */
  @Override
  public void close() {
    if (this == jvm) {
      return;
    }
    try {
      synchronized (this) {
        closed = true;
        RuntimeException failure = null;
        for (AutoCloseable c : new AutoCloseable[] {events, dump, snmp, snmp6, sockstat}) {
          try {
            if (c != null) {
              c.close();
            }
          } catch (Exception e) {
            RuntimeException r = e instanceof RuntimeException re ? re : new IllegalStateException(e);
            failure = failure == null ? r : failure;
          }
        }
        if (failure != null) {
          throw failure;
        }
      }
    } finally {
      worker.shutdown();
      try {
        if (worker.awaitTermination(5, TimeUnit.SECONDS)) {
          Thread t = thread;
          if (t != null) {
            t.join(5_000);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** One window: opened by {@link #begin}, closed by {@link #end()}. */
  public final class Window {
    private final String label;
    private final Snapshot start;
    private final TrafficCounters counters;
    private final List<SockDiagEntry> destroyed = new ArrayList<>();
    private final List<String> gaps;
    private final List<String> overlapping = new ArrayList<>();
    private long costNanos;

    private Window(String label, Snapshot start, List<String> gaps, TrafficCounters counters) {
      this.label = label;
      this.start = start;
      this.counters = counters;
      this.gaps = gaps;
    }

    /** Ends the window and reports what this JVM opened in the namespace meanwhile. */
    public EscapeReport end() {
      synchronized (EscapeMonitor.this) {
        return EscapeMonitor.this.end(this);
      }
    }
  }
}
