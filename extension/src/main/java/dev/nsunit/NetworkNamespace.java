package dev.nsunit;

import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Address;
import dev.nsunit.model.Link;
import dev.nsunit.model.NamespaceId;
import dev.nsunit.model.Neighbour;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.Route;
import dev.nsunit.model.InetSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;

/**
 * A Linux network namespace: its own interfaces, addresses, routes, sockets and firewall.
 *
 * <h2>Creation</h2>
 * {@link #create()} makes a new namespace with only {@code lo}, up, holding 127.0.0.1/8 and
 * ::1, like {@code docker run --network none}. {@link #host()} opens the JVM's own namespace and
 * {@link #open(Path)} any other, e.g. {@code /proc/1234/ns/net} or {@code /run/netns/blue}. In
 * tests, the annotations ({@code @NoNetwork}, {@code @BridgeNetwork}, ...) create them for you and
 * inject them as parameters.
 *
 * <h2>Running code inside</h2>
 * Linux switches namespaces per thread, and this class never moves your thread:
 * {@link #call(Callable)}, {@link #run(ThrowingRunnable)}, {@link #executor()},
 * {@link #threadFactory()} and {@link #start(ProcessBuilder)} run code on platform threads (or
 * start processes from them) that have joined this namespace. Sockets opened there belong to it,
 * whichever thread uses them later.
 *
 * <h2>Inspection</h2>
 * {@link #snapshot()} reads links, addresses, routes, neighbours and listening sockets through
 * netlink, in-process; it never looks at {@code NetworkInterface} or {@code /proc/self}, which
 * show the wrong namespace on a namespaced thread.
 *
 * <h2>Cleanup</h2>
 * A namespace is held only by file descriptors. {@link #close()} (idempotent) kills processes
 * started here, stops this namespace's threads and closes the descriptors; the kernel then frees
 * the namespace and its interfaces asynchronously. If the JVM dies, the kernel does the same.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe.
 */
public final class NetworkNamespace implements AutoCloseable {
  private final Netns netns;
  private final String name;
  private final AutoCloseable owner;
  private final boolean managed;

  NetworkNamespace(Netns netns, String name) {
    this(netns, name, netns, false);
  }

  /**
   * A handle whose lifetime belongs to {@code owner} (e.g. a bridge attachment that also returns
   * the address to its pool). A managed handle ignores {@link #close()}: the extension closes it
   * through {@link #release()} when its scope ends.
   */
  NetworkNamespace(Netns netns, String name, AutoCloseable owner, boolean managed) {
    this.netns = Objects.requireNonNull(netns);
    this.name = name;
    this.owner = owner;
    this.managed = managed;
  }

  /**
   * Creates a new namespace with {@code lo} up (127.0.0.1/8 and ::1) and nothing else.
   * Equivalent to {@code docker run --network none}.
   *
   * @throws dev.nsunit.internal.libc.NativeCallException with EPERM without CAP_SYS_ADMIN
   */
  public static NetworkNamespace create() {
    return create("anonymous");
  }

  /** Like {@link #create()}, with a name used in messages and thread names. */
  public static NetworkNamespace create(String name) {
    return new NetworkNamespace(Netns.create(name), name);
  }

  /** Opens the JVM's own namespace (the one it started in), like {@code --network host}. */
  public static NetworkNamespace host() {
    return new NetworkNamespace(Netns.host(), "host");
  }

  /** Opens the namespace a file names: {@code /proc/<pid>/ns/net}, {@code /run/netns/<name>}. */
  public static NetworkNamespace open(Path path) {
    return open(path, path.toString());
  }

  /** Like {@link #open(Path)}, with a name used in messages, e.g. {@code "container redis"}. */
  public static NetworkNamespace open(Path path, String name) {
    return new NetworkNamespace(Netns.open(path, name), name);
  }

  /** The engine handle, for the extension and lab. */
  Netns netns() {
    return netns;
  }

  /** The name given at creation, the endpoint's name, {@code "host"}, or the path opened. */
  public String name() {
    return name;
  }

  /** The namespace's identity; equal ids mean the same kernel object. */
  public NamespaceId id() {
    return netns.id();
  }

  /** Whether this is the JVM's own namespace (Docker's host mode). */
  public boolean isHost() {
    return netns.isStartupNamespace();
  }

  /**
   * Whether both handles refer to the same kernel namespace (Docker's container mode: the same
   * interfaces, the same listening ports).
   */
  public boolean sharesStackWith(NetworkNamespace other) {
    return id().equals(other.id());
  }

  /**
   * A path that names this namespace while it is open: {@code /proc/<jvm pid>/fd/<fd>}. Handy for
   * debugging a test: {@code nsenter --net=<path> ip addr}.
   */
  public Path path() {
    return Path.of("/proc/" + ProcessHandle.current().pid() + "/fd/" + netns.fd());
  }

  /**
   * Runs {@code task} on a platform thread inside this namespace and returns its result. Its
   * exception is rethrown unchanged.
   */
  public <T> T call(Callable<T> task) throws Exception {
    return netns.call(task);
  }

  /** A task that may throw, for {@link #run(ThrowingRunnable)}. */
  @FunctionalInterface
  public interface ThrowingRunnable {
    /** Runs the task. */
    void run() throws Exception;
  }

  /** Runs {@code task} on a platform thread inside this namespace; its exception is rethrown unchanged. */
  public void run(ThrowingRunnable task) throws Exception {
    netns.call(() -> {
      task.run();
      return null;
    });
  }

  /**
   * An executor whose threads live in this namespace. Never run namespaced work on
   * {@code ForkJoinPool.commonPool()} or virtual threads: their carriers are shared.
   */
  public Executor executor() {
    return netns.executor();
  }

  /** A thread factory whose threads join this namespace before running their task. */
  public ThreadFactory threadFactory() {
    return netns.threadFactory();
  }

  /**
   * Starts a process inside this namespace. It is killed by {@link #close()} if still running.
   *
   * <pre>{@code
   * Process redis = ns.start(new ProcessBuilder("redis-server", "--port", "6379"));
   * }</pre>
   */
  public Process start(ProcessBuilder builder) throws IOException {
    return netns.start(builder);
  }

  /** Links, addresses, routes, neighbours and TCP/UDP listeners, read now through netlink. */
  public NetworkSnapshot snapshot() {
    List<Link> links = netns.rtnetlink().links();
    return new NetworkSnapshot(links, netns.rtnetlink().addresses(links),
        netns.rtnetlink().routes(links), netns.rtnetlink().neighbours(links), sockets());
  }

  /** The interfaces. Equivalent to {@code ip link}. */
  public List<Link> links() {
    return netns.rtnetlink().links();
  }

  /** The interface called {@code name}, if present. */
  public Optional<Link> link(String name) {
    return netns.rtnetlink().link(name);
  }

  /** The addresses. Equivalent to {@code ip addr}. */
  public List<Address> addresses() {
    return netns.rtnetlink().addresses();
  }

  /** The main routing table, IPv4 and IPv6. Equivalent to {@code ip route; ip -6 route}. */
  public List<Route> routes() {
    return netns.rtnetlink().routes();
  }

  /** The neighbour (ARP/NDP) entries. Equivalent to {@code ip neigh}. */
  public List<Neighbour> neighbours() {
    return netns.rtnetlink().neighbours();
  }

  /** TCP listeners and bound UDP sockets, both families. Equivalent to {@code ss -ltnu}. */
  public List<InetSocket> sockets() {
    return netns.sockDiag().listening();
  }

  /** Whether {@link #close()} has been called. */
  public boolean isClosed() {
    return netns.isClosed();
  }

  /**
   * Releases the namespace: kills its processes, stops its threads, closes its fds. Idempotent.
   * Namespaces injected by the JUnit extension belong to it and are closed when their scope ends;
   * calling this on them does nothing.
   */
  @Override
  public void close() {
    if (!managed) {
      release();
    }
  }

  /** Closes the namespace and whatever owns it, whether managed or not. Idempotent. */
  void release() {
    try {
      owner.close();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException("closing " + this + " failed", e);
    }
  }

  @Override
  public String toString() {
    return "network namespace " + name + " " + netns.id();
  }
}
