package dev.nsunit;

import static dev.nsunit.KernelFailures.translate;
import static java.util.Objects.requireNonNull;

import dev.nsunit.internal.ns.Netns;
import dev.nsunit.internal.ns.ProcessView;
import dev.nsunit.internal.ns.SocketOwners;
import dev.nsunit.internal.probe.Reachability;
import dev.nsunit.model.Address;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.InetSocket;
import dev.nsunit.model.Link;
import dev.nsunit.model.NamespaceId;
import dev.nsunit.model.Neighbour;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.ProbeResult;
import dev.nsunit.model.Route;
import dev.nsunit.model.SocketOwner;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.function.Supplier;
import javax.net.ServerSocketFactory;
import javax.net.SocketFactory;

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
 * whichever thread uses them later. {@link #socketFactory()} and {@link #serverSocketFactory()}
 * make such sockets for code on any thread.
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
 * <h2>Failures</h2>
 * When the kernel refuses an operation (no privileges, a feature this kernel lacks), methods
 * throw {@link KernelException}, which names the call and the errno. After {@link #close()},
 * every method that needs the namespace throws {@link IllegalStateException}.
 *
 * <h2>Threads</h2>
 * All methods are thread-safe.
 */
public final class NetworkNamespace implements AutoCloseable {
  static {
    JdkChannels.initialize(); // before any namespace exists: see there
  }

  // a null argument fails here, before anything is built, naming the parameter and what to pass
  private static final String PATH_IS_NULL = "path is null; pass a namespace file such as /proc/PID/ns/net";
  private static final String TARGET_IS_NULL =
      "target is null; pass the address to probe, e.g. InetAddress.getLoopbackAddress()";
  private static final String TIMEOUT_IS_NULL = "timeout is null; pass how long to wait, e.g. Duration.ofSeconds(1)";

  private static final int HOSTNAME_MAX = 64;
  private static final String RESOLV_CONF = "nameserver 127.0.0.11\noptions ndots:0\n";
  private static final String HOSTS_HEADER = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
      + "fe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

  private final Netns netns;
  private final String name;
  private final AutoCloseable owner;
  private final boolean managed;
  private final boolean createdByNsunit;

  NetworkNamespace(Netns netns, String name) {
    this(netns, name, netns, false, false);
  }

  /**
   * A handle whose lifetime belongs to {@code owner} (e.g. a bridge attachment that also returns
   * the address to its pool). A managed handle ignores {@link #close()}: the extension closes it
   * through {@link #release()} when its scope ends.
   *
   * @param createdByNsunit whether nsunit made the namespace, so that it ends with the handle
   *     (and may be connected to lab networks), rather than opened an existing one
   */
  NetworkNamespace(Netns netns, String name, AutoCloseable owner, boolean managed, boolean createdByNsunit) {
    this.netns = requireNonNull(netns);
    this.name = name;
    this.owner = owner != null ? owner : netns;
    this.managed = managed;
    this.createdByNsunit = createdByNsunit;
  }

  /**
   * Creates a new namespace with {@code lo} up (127.0.0.1/8 and ::1) and nothing else.
   * Equivalent to {@code docker run --network none}.
   *
   * @throws KernelException with {@code EPERM} without CAP_SYS_ADMIN
   */
  public static NetworkNamespace create() {
    return create("anonymous");
  }

  /**
   * Like {@link #create()}, with a name used in messages and thread names.
   *
   * @throws KernelException with {@code EPERM} without CAP_SYS_ADMIN
   */
  public static NetworkNamespace create(String name) {
    requireNonNull(name,
        "name is null; pass a name for messages and thread names, e.g. \"web\", or call create()");
    return new NetworkNamespace(translate(() -> Netns.create(name)), name, null, false, true);
  }

  /**
   * Opens the JVM's own namespace (the one it started in), like {@code --network host}.
   *
   * @throws KernelException if the namespace file cannot be opened
   */
  public static NetworkNamespace host() {
    return new NetworkNamespace(translate(Netns::host), "host");
  }

  /**
   * Opens the namespace a file names: {@code /proc/<pid>/ns/net}, {@code /run/netns/<name>}.
   * The file is checked before it is joined, and never waited on: a FIFO, a device or a directory
   * is refused at once, as is another kind of namespace.
   *
   * @throws KernelException if the kernel refuses to open {@code path}, e.g. {@code ENOENT} when
   *     it does not exist
   * @throws IllegalArgumentException if {@code path} is not a network namespace file, naming the
   *     path and what it is instead: {@code "/etc/passwd is not a network namespace file: it is a
   *     regular file; ..."}, {@code "/proc/self/ns/mnt is a mount namespace, not a network
   *     namespace; ..."}
   */
  public static NetworkNamespace open(Path path) {
    requireNonNull(path, PATH_IS_NULL);
    return open(path, path.toString());
  }

  /**
   * Like {@link #open(Path)}, with a name used in messages, e.g. {@code "container redis"}.
   *
   * @throws KernelException if the kernel refuses to open {@code path}, e.g. {@code ENOENT} when
   *     it does not exist
   * @throws IllegalArgumentException if {@code path} is not a network namespace file
   */
  public static NetworkNamespace open(Path path, String name) {
    requireNonNull(path, PATH_IS_NULL);
    requireNonNull(name, "name is null; pass a name for messages, e.g. \"container redis\", or call open(path)");
    return new NetworkNamespace(translate(() -> Netns.open(path, name)), name);
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
    requireNonNull(other, "other is null; pass the namespace to compare with");
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
    requireNonNull(task, "task is null; pass the Callable to run inside the namespace");
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
    requireNonNull(task, "task is null; pass the code to run inside the namespace");
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
   * A {@link SocketFactory} whose sockets belong to this namespace, whichever thread creates,
   * connects or uses them. Give it to a client that accepts one (OkHttp, Apache HttpClient,
   * Jedis...) so that its connections start here, even from a thread outside.
   *
   * <p>Why not {@code ns.call(Socket::new)}: {@link Socket} creates its descriptor lazily, at its
   * first option, bind or connect, on whichever thread that happens, so such a socket usually ends
   * up in the caller's namespace. This factory creates the descriptor on a thread inside; sockets
   * that connect at once ({@code createSocket(host, port)}) connect there too, and a host name is
   * resolved there.
   *
   * <pre>{@code
   * OkHttpClient client = new OkHttpClient.Builder().socketFactory(ns.socketFactory()).build();
   * try (Socket s = ns.socketFactory().createSocket()) {
   *   s.connect(new InetSocketAddress("172.17.0.2", 8080), 2000);   // from ns, on any thread
   * }
   * }</pre>
   *
   * <p>Each socket is the caller's to close; an open one keeps this namespace alive. After
   * {@link #close()}, the factory throws {@link IllegalStateException}.
   */
  public SocketFactory socketFactory() {
    return new NamespaceSocketFactory(new InsideNamespace(netns));
  }

  /**
   * A {@link ServerSocketFactory} whose server sockets belong to this namespace, whichever thread
   * creates, binds or accepts on them: a server started from any thread listens here.
   *
   * <pre>{@code
   * try (ServerSocket server = ns.serverSocketFactory().createServerSocket(8080)) {
   *   ns.awaitListening(8080, Duration.ofSeconds(1));    // listening in ns, not in the JVM's own
   *   try (Socket client = server.accept()) { ... }
   * }
   * }</pre>
   *
   * <p>An unbound socket ({@code createServerSocket()}) already belongs here and may be bound
   * later on any thread. Each socket is the caller's to close; an open one keeps this namespace
   * alive. After {@link #close()}, the factory throws {@link IllegalStateException}.
   */
  public ServerSocketFactory serverSocketFactory() {
    return new NamespaceServerSocketFactory(new InsideNamespace(netns));
  }

  /**
   * Starts a process inside this namespace. It is killed by {@link #close()} if still running.
   *
   * <pre>{@code
   * Process redis = ns.start(new ProcessBuilder("redis-server", "--port", "6379"));
   * }</pre>
   *
   * <p>In a namespace nsunit created, processes see what a Docker container sees: the endpoint's
   * name as their host name (a UTS namespace of their own, like {@code --hostname}), and their own
   * {@code /etc/hosts} (loopback names and the endpoint's addresses with its name),
   * {@code /etc/hostname} and {@code /etc/resolv.conf} ({@code nameserver 127.0.0.11}, the
   * namespace's DNS server, see {@link #resolve(String)}), bind-mounted in a mount namespace of
   * their own. That view is built by the first {@code start}, once per namespace (about a
   * millisecond), and shared by its later processes; it is a copy of the JVM's mounts at that
   * moment. The JVM's own files, mounts and host name never change. Processes of the JVM's own
   * namespace ({@link #host()}) and of namespaces opened from a file see the host's.
   */
  public Process start(ProcessBuilder builder) throws IOException {
    requireNonNull(builder, "builder is null; pass the ProcessBuilder of the process to start");
    if (!createdByNsunit) {
      return netns.start(builder);
    }
    return netns.start(builder, () -> ProcessView.create(hostname(), Map.of(
        "hosts", hostsFile(), "hostname", hostname() + "\n", "resolv.conf", RESOLV_CONF)));
  }

  /** The host name processes see: the endpoint's name, cut to the kernel's 64 bytes. */
  private String hostname() {
    String h = name.isEmpty() ? "nsunit" : name;
    return h.length() > HOSTNAME_MAX ? h.substring(0, HOSTNAME_MAX) : h;
  }

  /** Docker's /etc/hosts for a container: loopback names, then the endpoint's own addresses and name. */
  private String hostsFile() {
    StringBuilder b = new StringBuilder(HOSTS_HEADER);
    for (NetworkAttachment a : networks()) {
      b.append(InetAddresses.format(a.address())).append('\t').append(hostname()).append('\n');
      a.ipv6Address().ifPresent(v6 -> b.append(InetAddresses.format(v6)).append('\t').append(hostname()).append('\n'));
    }
    return b.toString();
  }

  /**
   * Publishes {@code port} of this endpoint on a free port of the JVM's loopback, like
   * {@code docker run -p PORT}: a userland proxy (like docker-proxy) accepts there and relays each
   * connection from the lab host to this endpoint's address on its first network, so the
   * endpoint's server sees the gateway as the client. The proxy ends with the namespace.
   *
   * <pre>{@code
   * PublishedPort web = ns.publish(80);                 // 127.0.0.1:41234->80/tcp
   * HttpRequest.newBuilder(URI.create("http://" + web.hostAddress().getHostString() + ":" + web.hostAddress().getPort()));
   * }</pre>
   *
   * @throws IllegalArgumentException if the port is not 1 to 65535, or is published already
   * @throws IllegalStateException if this namespace is on no network (connect it first: a
   *     {@code @BridgeNetwork} or {@code @Connect} endpoint, or {@link LabNetwork#connect}), or closed
   */
  public PublishedPort publish(int port) {
    return publish(0, port);
  }

  /**
   * Like {@link #publish(int)} on a given host port, like {@code docker run -p HOSTPORT:PORT}.
   *
   * @param hostPort the port on 127.0.0.1; 0 for a free one
   * @throws IllegalArgumentException if a port is out of range, or the host port is taken (the
   *     message says how to find who holds it)
   */
  public PublishedPort publish(int hostPort, int port) {
    if (hostPort < 0 || hostPort > 65535) {
      throw new IllegalArgumentException("host port " + hostPort + " is not between 0 (a free one) and 65535");
    }
    PortPublishing.Spec spec = PortPublishing.parse(hostPort == 0 ? String.valueOf(port) : hostPort + ":" + port);
    if (isClosed()) {
      throw new IllegalStateException(this + " is closed; publish ports of a namespace that is open");
    }
    if (networks().isEmpty()) {
      throw new IllegalStateException("cannot publish port " + port + " of " + this + ": it is on no network, so the"
          + " lab cannot reach it. Connect it first (@BridgeNetwork, @Connect, or LabNetwork.connect).");
    }
    return EndpointNetworks.of(netns).publish(spec, toString());
  }

  /**
   * Where {@code port} of this endpoint is published on the JVM's loopback: connect there from
   * the JVM's own namespace (the test's JUnit thread, a client outside every endpoint).
   *
   * @throws IllegalArgumentException if {@code port} is not published, listing those that are
   */
  public InetSocketAddress published(int port) {
    List<PublishedPort> ports = publishedPorts();
    return ports.stream().filter(p -> p.port() == port).findFirst().map(PublishedPort::hostAddress)
        .orElseThrow(() -> new IllegalArgumentException("port " + port + " of " + this + " is not published; "
            + (ports.isEmpty() ? "it publishes none. Add @Publish(\"" + port + "\") next to its mode, or call publish("
                + port + ")." : "it publishes " + ports + ".")));
  }

  /** The ports this endpoint publishes, in the order they were published; empty if none. */
  public List<PublishedPort> publishedPorts() {
    return EndpointNetworks.publishedOf(netns);
  }

  /**
   * The addresses {@code host} resolves to for code in this namespace, as Docker's embedded DNS
   * answers a container on a user-defined network: the names of the endpoints (field names, or
   * the name given to {@link #create(String)}) and their aliases on the user-defined networks
   * this namespace is on, alone or followed by the network's name ({@code db.backend}), in this
   * namespace's interface order. Case does not matter. Docker's default {@code bridge} network
   * has no names. This is what the namespace's DNS server at 127.0.0.11 and nsunit's resolver
   * for namespaced threads (JDK 18 and newer) answer.
   *
   * <pre>{@code
   * @Connect(network = "backend", aliases = "db") static NetworkNamespace redis;
   * @Test @Connect(network = "backend")
   * void findsTheDatabase(NetworkNamespace api) {
   *   assertThat(api.resolve("db")).containsExactly(redis.ipv4Address("backend").orElseThrow());
   * }
   * }</pre>
   *
   * @return the addresses, empty if the name is unknown here
   */
  public List<InetAddress> resolve(String host) {
    requireNonNull(host, "host is null; pass a name such as \"db\"");
    return EndpointNetworks.resolve(netns, host).orElse(List.of());
  }

  /** Links, addresses, routes, neighbours and TCP/UDP listeners, read now through netlink. */
  public NetworkSnapshot snapshot() {
    return inspect(() -> {
      List<Link> links = netns.rtnetlink().links();
      return new NetworkSnapshot(links, netns.rtnetlink().addresses(links),
          netns.rtnetlink().routes(links), netns.rtnetlink().neighbours(links), netns.sockDiag().listening());
    });
  }

  /**
   * The IPv4 address of {@code eth0}: a bridge endpoint's address on its bridge (what
   * {@code docker inspect} calls {@code IPAddress}), which other endpoints connect to. Empty when
   * there is no {@code eth0} or it has no IPv4 address, as in {@code @NoNetwork} (Docker's
   * {@code none}). Read now, through netlink. Equivalent to
   * {@code ip -4 -brief addr show dev eth0}.
   *
   * <pre>{@code
   * @BridgeNetwork static NetworkNamespace web;
   *
   * @Test @BridgeNetwork
   * void callsWeb() throws IOException {
   *   InetAddress address = web.ipv4Address().orElseThrow();    // e.g. 172.17.0.2
   *   try (Socket s = new Socket(address, 8080)) { ... }
   * }
   * }</pre>
   */
  public Optional<InetAddress> ipv4Address() {
    return addresses().stream()
        .filter(a -> a.isIpv4() && a.interfaceName().equals("eth0"))
        .map(Address::address)
        .findFirst();
  }

  /**
   * The IPv4 address on the lab network {@code network} ({@code docker inspect}'s
   * {@code NetworkSettings.Networks.NETWORK.IPAddress}); empty if the endpoint is not on it.
   *
   * <pre>{@code
   * @Network(name = "backend") class ShopTests {
   *   @Connect(network = "backend") static NetworkNamespace db;
   *   ... db.ipv4Address("backend").orElseThrow() ...   // e.g. 172.18.0.2
   * }
   * }</pre>
   */
  public Optional<InetAddress> ipv4Address(String network) {
    requireNonNull(network, "network is null; pass a network's name, e.g. \"backend\"");
    return networks().stream().filter(a -> a.network().equals(network)).map(NetworkAttachment::address).findFirst();
  }

  /**
   * This namespace's IPv6 address on the dual-stack network {@code network} ({@code docker
   * inspect}'s {@code GlobalIPv6Address}); empty if it is not on that network or the network is
   * IPv4 only.
   */
  public Optional<InetAddress> ipv6Address(String network) {
    requireNonNull(network, "network is null; pass a network's name, e.g. \"backend\"");
    return networks().stream().filter(a -> a.network().equals(network)).findFirst()
        .flatMap(NetworkAttachment::ipv6Address);
  }

  /**
   * The lab networks this namespace is on, in interface order ({@code eth0} first), like the
   * {@code Networks} of {@code docker inspect}; empty for {@code @NoNetwork} and namespaces that
   * nsunit did not connect.
   */
  public List<NetworkAttachment> networks() {
    return EndpointNetworks.viewOf(netns);
  }

  /** Whether nsunit created this namespace (it ends with its handle), rather than opened an existing one. */
  boolean createdByNsunit() {
    return createdByNsunit;
  }

  /**
   * Reads through the namespace's netlink sockets: kernel failures become {@link KernelException};
   * a read that close() overtakes fails like every use after close.
   */
  private <T> T inspect(Supplier<T> read) {
    return translate(() -> netns.inspect(read));
  }

  /** The interfaces. Equivalent to {@code ip link}. */
  public List<Link> links() {
    return inspect(() -> netns.rtnetlink().links());
  }

  /** The interface called {@code name}, if present. Equivalent to {@code ip link show NAME}. */
  public Optional<Link> link(String name) {
    return inspect(() -> netns.rtnetlink().link(name));
  }

  /** The addresses. Equivalent to {@code ip addr}. */
  public List<Address> addresses() {
    return inspect(() -> netns.rtnetlink().addresses());
  }

  /** The main routing table, IPv4 and IPv6. Equivalent to {@code ip route; ip -6 route}. */
  public List<Route> routes() {
    return inspect(() -> netns.rtnetlink().routes());
  }

  /** The neighbour (ARP/NDP) entries. Equivalent to {@code ip neigh}. */
  public List<Neighbour> neighbours() {
    return inspect(() -> netns.rtnetlink().neighbours());
  }

  /**
   * Forgets every learned neighbour (ARP and NDP) entry; permanent ones stay. Equivalent to
   * {@code ip neigh flush all}. For tests of what follows a lost or changed neighbour (an address
   * that moved to another MAC), and for large topologies: the kernel keeps one neighbour table
   * for all namespaces, of at most {@code net.ipv4.neigh.default.gc_thresh3} entries (1024 by
   * default), and entries younger than five seconds cannot be reclaimed.
   *
   * @return how many entries were removed
   */
  public int flushNeighbours() {
    return inspect(() -> netns.rtnetlink().flushNeighbours());
  }

  /** TCP listeners and bound UDP sockets, both families. Equivalent to {@code ss -ltnu}. */
  public List<InetSocket> sockets() {
    return inspect(() -> netns.sockDiag().listening());
  }

  /**
   * Waits until a TCP socket listens on {@code port} (any address, either family) and returns
   * it: the way to wait for a server started with {@link #start(ProcessBuilder)} to be ready.
   *
   * <pre>{@code
   * redis.start(new ProcessBuilder("redis-server", "--port", "6379"));
   * redis.awaitListening(6379, Duration.ofSeconds(10));
   * }</pre>
   *
   * @throws IllegalStateException if nothing listens within {@code timeout}; the message holds
   *     the namespace's interfaces, routes and sockets at that moment
   */
  public InetSocket awaitListening(int port, Duration timeout) {
    requireNonNull(timeout, TIMEOUT_IS_NULL);
    long deadline = System.nanoTime() + timeout.toNanos();
    long pause = 1;
    while (true) {
      Optional<InetSocket> listener = sockets().stream()
          .filter(s -> s.isListening() && s.localPort() == port).findFirst();
      if (listener.isPresent()) {
        return listener.get();
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException("nothing listens on TCP port " + port + " in " + this + " after "
            + timeout.toMillis() + " ms; did the server start, and does it bind that port? The namespace now:\n"
            + snapshot());
      }
      try {
        Thread.sleep(pause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for TCP port " + port + " in " + this, e);
      }
      pause = Math.min(pause * 2, 20);
    }
  }

  /**
   * Sends one ICMP echo request from inside this namespace and waits up to {@code timeout} for
   * the reply. Equivalent to {@code ping -c 1 -W TIMEOUT TARGET} run inside. A target that does
   * not answer is a result ({@link ProbeResult#isReached()} false, with the reason), never an
   * exception.
   *
   * @throws KernelException if no ICMP socket may be opened (neither raw nor an unprivileged
   *     "ping" socket)
   */
  public ProbeResult ping(InetAddress target, Duration timeout) {
    requireNonNull(target, TARGET_IS_NULL);
    requireNonNull(timeout, TIMEOUT_IS_NULL);
    // the socket is made inside by the shared maker thread; the echo needs no thread in here
    Reachability.IcmpSocket socket = translate(() -> netns.setUp(() -> Reachability.openIcmp(target instanceof Inet6Address)));
    return translate(() -> Reachability.icmpEcho(socket, target, timeout));
  }

  /**
   * Opens a TCP connection from inside this namespace to {@code target:port} and closes it at
   * once. Equivalent to {@code nc -z -w TIMEOUT TARGET PORT} run inside. A refused or timed-out
   * connection is a result, never an exception.
   */
  public ProbeResult connectTcp(InetAddress target, int port, Duration timeout) {
    requireNonNull(target, TARGET_IS_NULL);
    requireNonNull(timeout, TIMEOUT_IS_NULL);
    return probe(() -> Reachability.tcpConnect(target, port, timeout));
  }

  /**
   * Sends {@code request} as one UDP datagram from inside this namespace to {@code target:port}
   * and waits up to {@code timeout} for any datagram back. No answer, or an ICMP error, is a
   * result, never an exception.
   */
  public ProbeResult exchangeUdp(InetAddress target, int port, byte[] request, Duration timeout) {
    requireNonNull(target, TARGET_IS_NULL);
    requireNonNull(request,
        "request is null; pass the datagram's bytes (an empty array sends an empty datagram)");
    requireNonNull(timeout, TIMEOUT_IS_NULL);
    byte[] copy = request.clone();
    return probe(() -> Reachability.udpExchange(target, port, copy, timeout));
  }

  private ProbeResult probe(Supplier<ProbeResult> probe) {
    try {
      return netns.call(() -> translate(probe));
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while probing from " + this, e);
    } catch (Exception e) {
      throw new IllegalStateException("probe from " + this + " failed", e);
    }
  }

  /**
   * The processes holding {@code socket} open, found as {@code ss -p} finds them: through the
   * {@code socket:[inode]} links under {@code /proc/PID/fd}. Sockets this JVM opened belong to
   * its own pid, whichever thread or namespace opened them. Socket inodes are unique across
   * namespaces, so this needs no namespace. Empty when no visible process holds it.
   */
  public static List<SocketOwner> ownersOf(InetSocket socket) {
    requireNonNull(socket, "socket is null; pass a socket from sockets() or snapshot()");
    return SocketOwners.of(socket.inode());
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

  /**
   * Closes the namespace and whatever owns it, whether managed or not: first its interfaces on
   * lab networks (cut off their bridges at once), then the namespace. Idempotent.
   */
  void release() {
    try {
      EndpointNetworks.closeAll(netns);
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
