package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.internal.escape.EscapeMonitor;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.testing.Shell;
import dev.nsunit.testing.SsEvents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.engine.reporting.ReportEntry;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Escapes: a namespaced test's code that runs on a thread outside the test's namespace opens its
 * sockets in the JVM's own namespace, and the test fails saying so (nsunit.escapes).
 *
 * <p>Traffic rule: every escape here goes to a server this class opened itself, on the real
 * host's loopback, on an ephemeral port it bound; nothing else is contacted. The escaping code
 * runs on warm {@code ForkJoinPool.commonPool()} workers (and carriers of virtual threads) that
 * this class started from JUnit's thread, so they are outside any namespace. {@code ss} is the
 * oracle: for open sockets it names this JVM's descriptor, for closed ones {@code ss -E} saw them
 * destroyed.
 */
class EscapeDetectionTests {
  private static final long PID = ProcessHandle.current().pid();
  private static final String HOST_NS = "/proc/" + PID + "/ns/net";
  private static final InetAddress V4 = InetAddress.getLoopbackAddress();
  private static final InetAddress V6 = address("::1");

  /** The servers the escapes go to, on the host's loopback: ours, on ports the kernel chose. */
  static ServerSocketChannel tcp4;
  static ServerSocketChannel tcp6;
  static DatagramChannel udp4;
  static DatagramChannel udp6;
  /** What the escaping code kept open, closed by this class after each run. */
  static final List<Channel> KEPT = new CopyOnWriteArrayList<>();
  static final List<Socket> KEPT_SOCKETS = new CopyOnWriteArrayList<>();
  /** Per fixture test: the local address of its escaped socket, and the namespace of the thread that opened it. */
  static final Map<String, InetSocketAddress> LOCAL = new ConcurrentHashMap<>();
  static final Map<String, Long> THREAD_NAMESPACE = new ConcurrentHashMap<>();

  @BeforeAll
  static void openOurServers() throws IOException {
    tcp4 = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(V4, 0));
    tcp6 = ServerSocketChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress(V6, 0));
    udp4 = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(V4, 0));
    udp6 = DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress(V6, 0));
  }

  @AfterAll
  static void closeOurServers() throws IOException {
    for (Channel c : List.of(tcp4, tcp6, udp4, udp6)) {
      c.close();
    }
  }

  @BeforeEach
  void warmTheCommonPoolOutsideAnyNamespace() throws Exception {
    LOCAL.clear();
    THREAD_NAMESPACE.clear();
    warm(ForkJoinPool.commonPool());
  }

  @AfterEach
  void closeWhatEscapesKept() throws IOException {
    for (Channel c : KEPT) {
      c.close();
    }
    for (Socket s : KEPT_SOCKETS) {
      s.close();
    }
    KEPT.clear();
    KEPT_SOCKETS.clear();
  }

  // ---- the escapes ----

  /** One escape per protocol and family, kept open to the end of the test or closed within it. */
  enum Kind {
    TCP4_OPEN, TCP6_OPEN, UDP4_OPEN, UDP6_OPEN, TCP4_CLOSED, TCP6_CLOSED, UDP4_CLOSED, UDP6_CLOSED;

    boolean tcp() {
      return name().startsWith("TCP");
    }

    boolean v6() {
      return name().contains("6");
    }

    boolean open() {
      return name().endsWith("OPEN");
    }

    SocketAddress server() throws IOException {
      return tcp() ? (v6() ? tcp6 : tcp4).getLocalAddress() : (v6() ? udp6 : udp4).getLocalAddress();
    }

    int serverPort() throws IOException {
      return ((InetSocketAddress) server()).getPort();
    }
  }

  /**
   * Opens a socket of {@code kind} to our server and keeps or closes it: the code a test means to
   * run in its namespace. An open UDP socket sends without connecting; a closed one connects, so
   * that its destroy event names its peer.
   */
  static InetSocketAddress escape(Kind kind, String key) throws IOException {
    THREAD_NAMESPACE.put(key, Netns.currentThreadNamespaceInode());
    StandardProtocolFamily family = kind.v6() ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    InetSocketAddress local;
    if (kind.tcp()) {
      SocketChannel c = SocketChannel.open(family);
      c.connect(kind.server());
      local = (InetSocketAddress) c.getLocalAddress();
      keepOrClose(kind, c);
    } else {
      DatagramChannel d = DatagramChannel.open(family);
      ByteBuffer ping = ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8));
      if (kind.open()) {
        d.send(ping, kind.server());
      } else {
        d.connect(kind.server());
        d.write(ping);
      }
      local = (InetSocketAddress) d.getLocalAddress();
      keepOrClose(kind, d);
    }
    LOCAL.put(key, local);
    return local;
  }

  private static void keepOrClose(Kind kind, Channel c) throws IOException {
    if (kind.open()) {
      KEPT.add(c);
    } else {
      c.close();
    }
  }

  /**
   * Runs {@code task} on a {@code ForkJoinPool.commonPool()} worker, as CompletableFuture's async
   * methods do when the pool has more than one worker (on a machine with two CPUs or fewer they
   * start a new thread per task instead, which is born in the caller's namespace). The caller
   * waits for the task to start before it waits for its result: a thread outside the pool that
   * waits for a task still queued may take it and run it itself, in its own namespace.
   */
  static <T> T onTheCommonPool(Callable<T> task) throws Exception {
    CountDownLatch taken = new CountDownLatch(1);
    Future<T> result = ForkJoinPool.commonPool().submit(() -> {
      taken.countDown();
      return task.call();
    });
    taken.await();
    return result.get();
  }

  @NoNetwork
  static class CommonPoolTestCase {
    @ParameterizedTest
    @EnumSource(Kind.class)
    void escapes(Kind kind) throws Exception {
      onTheCommonPool(() -> escape(kind, kind.name()));
    }
  }

  @Test
  void socketsOpenedOnTheCommonPoolFailTheTestNamingEachSocketAsSsSeesIt() throws Exception {
    try (SsEvents destroyed = SsEvents.start(HOST_NS)) {
      Events tests = run(CommonPoolTestCase.class, Map.of());
      tests.assertStatistics(s -> s.started(Kind.values().length).failed(Kind.values().length));
      for (Kind kind : Kind.values()) {
        assertThat(THREAD_NAMESPACE.get(kind.name())).as("the common pool's worker is outside any namespace")
            .isEqualTo(hostInode());
        Throwable failure = failure(tests, kind.name());
        InetSocketAddress local = LOCAL.get(kind.name());
        assertThat(failure).isExactlyInstanceOf(IllegalStateException.class)
            .hasMessageStartingWith("test escapes() runs in network namespace escapes net:[")
            .hasMessageContaining("but opened 1 socket(s) in the JVM's own network namespace (net:[" + hostInode()
                + "]) instead:\n  " + (kind.tcp() ? "tcp " : "udp "))
            .hasMessageContaining("Likely cause: code of the test ran on a thread outside the test's namespace")
            .hasMessageContaining("a ForkJoinPool.commonPool() worker")
            .hasMessageContaining("Fix: run that work on threads inside the namespace: pass ns.executor()")
            .hasMessageContaining("nsunit.escapes=warn");
        String line = socketLine(failure.getMessage());
        assertThat(line).contains(":" + local.getPort() + " -> ");
        if (kind.open()) {
          // ss names the descriptor the message names, on the same addresses
          Matcher fd = Pattern.compile("still open \\(fd (\\d+)\\)").matcher(line);
          assertThat(fd.find()).as(line).isTrue();
          String ss = ssLine(fd.group(1));
          String[] words = line.split(" ", -1); // tcp ESTAB LOCAL -> REMOTE, still open (fd N)
          assertThat(ss).startsWith(words[0] + " ").contains(" " + words[2] + " " + words[4].replace(",", "") + " ");
        } else {
          assertThat(line).contains(":" + kind.serverPort() + ", opened and closed meanwhile");
          destroyed.await(kind.tcp() ? "tcp " : "udp ", ":" + local.getPort() + " ", ":" + kind.serverPort());
        }
      }
    }
  }

  @NoNetwork
  static class SupplyAsyncTestCase {
    @Test
    void connectsAsync() throws Exception {
      CountDownLatch taken = new CountDownLatch(1); // see onTheCommonPool
      CompletableFuture<InetSocketAddress> connected = CompletableFuture.supplyAsync(() -> {
        taken.countDown();
        return unchecked(() -> escape(Kind.TCP4_OPEN, "supplyAsync"));
      });
      taken.await();
      connected.get();
    }
  }

  @Test
  void completableFutureSupplyAsyncWithoutAnExecutorEscapesThroughTheCommonPool() throws Exception {
    assumeTrue(ForkJoinPool.getCommonPoolParallelism() > 1, () -> "the common pool has "
        + ForkJoinPool.getCommonPoolParallelism() + " worker on this machine, so CompletableFuture runs async tasks on"
        + " a new thread each, born in the test's namespace: nothing escapes (run with"
        + " -Djava.util.concurrent.ForkJoinPool.common.parallelism=2 to see it)");
    Events tests = run(SupplyAsyncTestCase.class, Map.of());
    tests.assertStatistics(s -> s.started(1).failed(1));
    assertThat(THREAD_NAMESPACE.get("supplyAsync")).isEqualTo(hostInode());
    assertThat(failure(tests, "connectsAsync")).hasMessageStartingWith("test connectsAsync() runs in network namespace")
        .hasMessageContaining("tcp ESTAB 127.0.0.1:" + LOCAL.get("supplyAsync").getPort() + " -> 127.0.0.1:"
            + Kind.TCP4_OPEN.serverPort() + ", still open (fd ");
  }

  @NoNetwork
  static class NamespaceExecutorTestCase {
    @Test
    void connectsThroughTheNamespacesExecutor(NetworkNamespace ns) throws Exception {
      // the same work, on a thread inside the test's namespace: our server is not there
      Throwable refused = CompletableFuture.supplyAsync(() -> {
        try {
          escape(Kind.TCP4_OPEN, "executor");
          return null;
        } catch (IOException e) {
          return e;
        }
      }, ns.executor()).get();
      assertThat(refused).isInstanceOf(ConnectException.class);
      assertThat(THREAD_NAMESPACE.get("executor")).isEqualTo(ns.id().inode());
    }
  }

  @Test
  void theSameWorkOnTheNamespacesExecutorStaysInsideAndPasses() {
    long before = windowsOpened();
    run(NamespaceExecutorTestCase.class, Map.of()).assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(windowsOpened()).isGreaterThan(before); // it was watched
  }

  @NoNetwork
  static class VirtualThreadTestCase {
    @Test
    void escapesOnAVirtualThread() throws Exception {
      // UDP: a virtual thread that waits for a TCP connection makes the JDK start its I/O pollers,
      // whose descriptors live as long as the JVM (and would fail the leak check)
      Thread t = startVirtualThread(() -> unchecked(() -> escape(Kind.UDP4_OPEN, "virtual")));
      t.join();
    }
  }

  @Test
  void aSocketOpenedOnAVirtualThreadFailsTheTest() throws Exception {
    assumeTrue(Runtime.version().feature() >= 21, () -> "virtual threads need Java 21 or later; this JVM is "
        + Runtime.version());
    warmVirtualThreadCarriers();
    Events tests = run(VirtualThreadTestCase.class, Map.of());
    tests.assertStatistics(s -> s.started(1).failed(1));
    assertThat(THREAD_NAMESPACE.get("virtual")).as("the virtual thread's carrier is outside any namespace")
        .isEqualTo(hostInode());
    assertThat(failure(tests, "escapesOnAVirtualThread").getMessage())
        .startsWith("test escapesOnAVirtualThread() runs in network namespace")
        .contains("udp UNCONN 0.0.0.0:" + LOCAL.get("virtual").getPort() + " -> 0.0.0.0:*, still open (fd ");
  }

  @NoNetwork
  static class WarnTestCase {
    @Test
    void escapes() throws Exception {
      onTheCommonPool(() -> escape(Kind.UDP4_OPEN, "warn"));
    }
  }

  @Test
  void inWarnModeTheTestPassesAndTheReportGoesToJunitsReporterAndTheLog() throws Exception {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler handler = capture(logged);
    try {
      Events tests = run(WarnTestCase.class, Map.of(NsunitProperties.ESCAPES, "warn"));
      tests.assertStatistics(s -> s.started(1).succeeded(1));
      List<String> reported = reports(tests);
      assertThat(reported).singleElement().satisfies(r -> assertThat(r)
          .startsWith("test escapes() runs in network namespace")
          .contains("udp UNCONN 0.0.0.0:" + LOCAL.get("warn").getPort() + " -> 0.0.0.0:*, still open (fd ")
          .doesNotContain("defaults to warn"));
      assertThat(logged).containsExactlyElementsOf(reported);
    } finally {
      EscapeCheck.LOG.removeHandler(handler);
    }
  }

  @Test
  void withParallelExecutionTheDefaultIsWarnAndTheReportSaysWhy() throws Exception {
    Events tests = run(WarnTestCase.class, Map.of("junit.jupiter.execution.parallel.enabled", "true"));
    tests.assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(reports(tests)).singleElement().satisfies(r -> assertThat(r).contains("(Reported, not failed:"
        + " nsunit.escapes defaults to warn because junit.jupiter.execution.parallel.enabled=true"));
  }

  @Test
  void offModeWatchesNothing() throws Exception {
    long before = windowsOpened();
    Events tests = run(WarnTestCase.class, Map.of(NsunitProperties.ESCAPES, "off"));
    tests.assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(reports(tests)).isEmpty();
    assertThat(LOCAL).containsKey("warn"); // it did escape
    assertThat(windowsOpened()).isEqualTo(before);
  }

  @Test
  void anInvalidValueFailsTheTestBeforeItRunsAndNamesTheValues() {
    Events tests = run(WarnTestCase.class, Map.of(NsunitProperties.ESCAPES, "loud"));
    tests.assertStatistics(s -> s.started(1).failed(1));
    assertThat(failure(tests, "escapes")).isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("nsunit.escapes=loud is not a valid value; use fail (the default), warn or off.");
    assertThat(LOCAL).isEmpty();
  }

  @HostNetwork
  static class HostNetworkTestCase {
    @Test
    void usesTheJvmsNamespaceOnPurpose() throws Exception {
      onTheCommonPool(() -> escape(Kind.TCP4_OPEN, "host"));
    }
  }

  @Test
  void hostNetworkTestsAreNotWatched() {
    long before = windowsOpened();
    run(HostNetworkTestCase.class, Map.of()).assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(LOCAL).containsKey("host");
    assertThat(windowsOpened()).isEqualTo(before);
  }

  static class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Boom() {
      super("boom");
    }
  }

  @NoNetwork
  static class LifecycleTestCase {
    @BeforeEach
    void startAClient() throws Exception {
      onTheCommonPool(() -> escape(Kind.TCP6_OPEN, "before"));
    }

    @Test
    void neverRuns() {
      LOCAL.put("test method ran", new InetSocketAddress(0));
    }
  }

  @Test
  void aSocketOpenedInBeforeEachFailsTheTestBeforeItRunsAndSaysWhere() throws IOException {
    Events tests = run(LifecycleTestCase.class, Map.of());
    tests.assertStatistics(s -> s.started(1).failed(1));
    assertThat(failure(tests, "neverRuns")).isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("test neverRuns() (in @BeforeEach startAClient()) runs in network namespace")
        .hasMessageContaining("tcp ESTAB [::1]:" + LOCAL.get("before").getPort() + " -> [::1]:" + Kind.TCP6_OPEN
            .serverPort() + ", still open (fd ");
    assertThat(LOCAL).doesNotContainKey("test method ran");
  }

  @NoNetwork
  static class ThrowingTestCase {
    @Test
    void throwsItself() throws Exception {
      onTheCommonPool(() -> escape(Kind.TCP4_CLOSED, "throws"));
      throw new Boom();
    }
  }

  @Test
  void whenTheTestFailsItselfItsFailureIsReportedWithTheEscapeSuppressed() {
    Events tests = run(ThrowingTestCase.class, Map.of());
    Throwable failure = failure(tests, "throwsItself");
    assertThat(failure).isExactlyInstanceOf(Boom.class);
    assertThat(failure.getSuppressed()).singleElement().satisfies(s -> assertThat(s)
        .isExactlyInstanceOf(IllegalStateException.class)
        .hasMessageContaining("127.0.0.1:" + LOCAL.get("throws").getPort() + " -> 127.0.0.1:"));
  }

  @NoNetwork
  static class OtherProcessTestCase {
    static volatile Process child;

    @Test
    void anotherProcessTalksToItselfMeanwhile() throws Exception {
      // started from a thread outside any namespace: the child lives in the JVM's own namespace,
      // and opens, uses and closes sockets there, to a server of its own, while this test runs
      String ports = onTheCommonPool(() -> {
        Process p = new ProcessBuilder("python3", "-c", String.join("\n",
            "import socket, sys",
            "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()",
            "kept = socket.create_connection(l.getsockname()); a1, _ = l.accept()",
            "gone = socket.create_connection(l.getsockname()); a2, _ = l.accept()",
            "port = gone.getsockname()[1]; gone.close(); a2.close()",
            "print(kept.getsockname()[1], port, flush=True)",
            "sys.stdin.read()")).start();
        child = p;
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
      });
      assertThat(ports).matches("\\d+ \\d+");
    }
  }

  @Test
  void anotherProcessesSocketsInTheJvmsNamespaceAreNotBlamed() throws Exception {
    assumeFalse(EscapeMonitor.forJvm().isPrivateNamespace(), "only this JVM uses its namespace (rootless"
        + " launcher): there, the sockets of processes it started count as its own");
    try {
      run(OtherProcessTestCase.class, Map.of()).assertStatistics(s -> s.started(1).succeeded(1));
    } finally {
      Process child = OtherProcessTestCase.child;
      if (child != null) {
        try (OutputStream stdin = child.getOutputStream(); InputStream stdout = child.getInputStream();
            InputStream stderr = child.getErrorStream()) {
          stdin.close(); // ends it
          child.waitFor();
        }
      }
    }
  }

  // ---- helpers ----

  private static Events run(Class<?> fixture, Map<String, String> configuration) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).configurationParameters(configuration)
        .execute().testEvents();
  }

  private static Throwable failure(Events tests, String displayNamePart) {
    Event e = tests.failed().stream().filter(x -> x.getTestDescriptor().getDisplayName().contains(displayNamePart))
        .findFirst().orElseThrow(() -> new AssertionError("no failure of " + displayNamePart + " among "
            + tests.failed().stream().map(x -> x.getTestDescriptor().getDisplayName()).toList()));
    return e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow();
  }

  private static List<String> reports(Events tests) {
    List<String> out = new ArrayList<>();
    for (Event e : tests.reportingEntryPublished().list()) {
      String value = e.getRequiredPayload(ReportEntry.class).getKeyValuePairs().get(NsunitProperties.ESCAPES);
      if (value != null) {
        out.add(value);
      }
    }
    return out;
  }

  /** The one line of a message that names a socket: {@code "  tcp ESTAB ... -> ..., ..."}. */
  private static String socketLine(String message) {
    return message.lines().filter(l -> l.startsWith("  tcp ") || l.startsWith("  udp ")).map(String::trim)
        .reduce((a, b) -> {
          throw new AssertionError("more than one socket line in " + message);
        }).orElseThrow(() -> new AssertionError("no socket line in " + message));
  }

  /** The line of {@code ss -Htuanp} (in the JVM's own namespace) for this JVM's descriptor {@code fd}. */
  private static String ssLine(String fd) {
    String out = Shell.run("ss", "-Htuanp");
    return out.lines().map(l -> l.trim().replaceAll("\\s+", " ")).filter(l -> l.contains("pid=" + PID + ",fd=" + fd + ")"))
        .findFirst().orElseThrow(() -> new AssertionError("ss shows no socket of fd " + fd + ":\n" + out));
  }

  private static long hostInode() {
    return EscapeMonitor.forJvm().namespaceInode();
  }

  private static long windowsOpened() {
    return EscapeMonitor.forJvm().windowsOpened();
  }

  private static Handler capture(List<String> into) {
    Handler h = new Handler() {
      @Override
      public void publish(LogRecord record) {
        into.add(record.getMessage());
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    EscapeCheck.LOG.addHandler(h);
    return h;
  }

  /**
   * Makes sure every worker of {@code pool} exists and was started from this thread, outside any
   * namespace: one task per worker, each waiting until all run.
   */
  private static void warm(ForkJoinPool pool) throws Exception {
    int n = pool.getParallelism();
    CountDownLatch started = new CountDownLatch(n);
    CountDownLatch release = new CountDownLatch(1);
    List<Future<Long>> inodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      inodes.add(pool.submit(() -> {
        started.countDown();
        release.await();
        return Netns.currentThreadNamespaceInode();
      }));
    }
    boolean all = started.await(30, TimeUnit.SECONDS);
    release.countDown();
    assertThat(all).as("all %d workers of the common pool started", n).isTrue();
    for (Future<Long> inode : inodes) {
      assertThat(inode.get()).as("a common-pool worker's namespace; a worker born in a test's namespace is a"
          + " thread leak of an earlier test").isEqualTo(Netns.currentThreadNamespaceInode());
    }
  }

  /**
   * Makes the virtual-thread scheduler start all its carriers from this thread, outside any
   * namespace: as many virtual threads as carriers, each spinning until all run.
   */
  private static void warmVirtualThreadCarriers() throws Exception {
    int n = Runtime.getRuntime().availableProcessors(); // the scheduler's default parallelism
    AtomicInteger running = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (int i = 0; i < n; i++) {
      threads.add(startVirtualThread(() -> {
        running.incrementAndGet();
        while (running.get() < n && System.nanoTime() < deadline) {
          Thread.onSpinWait(); // holds its carrier, so the others need carriers of their own
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    assertThat(running.get()).isEqualTo(n);
  }

  private static Thread startVirtualThread(Runnable task) throws Exception {
    // Java 21's Thread.startVirtualThread, called reflectively: this module compiles for Java 17
    return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, task);
  }

  interface IoSupplier<T> {
    T get() throws IOException;
  }

  private static <T> T unchecked(IoSupplier<T> s) {
    try {
      return s.get();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
