package dev.nsunit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectMethod;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Address;
import dev.nsunit.model.Link;
import dev.nsunit.model.Route;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.Shell;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** Runs fixture classes through the Jupiter engine and checks what each mode built. */
class ExtensionModesTests {

  static Events run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().testEvents();
  }

  static long threadNamespaceInode() {
    return Netns.currentThreadNamespaceInode();
  }

  // ---- none ----

  static volatile NetworkNamespace leaked;
  static volatile long bodyInode;
  static volatile long junitInode;

  @NoNetwork
  static class NoNetworkTestCase {
    @Test
    void onlyLoopback(NetworkNamespace ns) throws Exception {
      leaked = ns;
      bodyInode = threadNamespaceInode();
      NetworkNamespaceTests.assertOnlyLoopbackUp(ns);
      // a socket opened by the test body lives in the test's namespace
      try (ServerSocket s = new ServerSocket(6379)) {
        assertThat(ns.sockets()).anyMatch(x -> x.localPort() == 6379);
      }
    }
  }

  @Test
  void noNetworkRunsTheBodyInsideAFreshNamespaceAndClosesIt() {
    long before = threadNamespaceInode();
    run(NoNetworkTestCase.class).assertStatistics(s -> s.started(1).succeeded(1));
    assertThat(bodyInode).isEqualTo(leaked.id().inode()).isNotEqualTo(before);
    assertThat(leaked.isClosed()).isTrue();
    assertThat(threadNamespaceInode()).isEqualTo(before);
  }

  // ---- host ----

  static volatile boolean sawHost;
  static volatile long hostBodyInode;

  @HostNetwork
  static class HostNetworkTestCase {
    @Test
    void isHost(NetworkNamespace ns) {
      sawHost = ns.isHost();
      hostBodyInode = threadNamespaceInode();
      assertThat(ns.links()).extracting(Link::name).contains("lo");
    }
  }

  @Test
  void hostNetworkIsTheJvmsNamespace() throws Exception {
    run(HostNetworkTestCase.class).assertStatistics(s -> s.succeeded(1));
    assertThat(sawHost).isTrue();
    String self = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
    assertThat("net:[" + hostBodyInode + "]").isEqualTo(self);
  }

  // ---- bridge ----

  static volatile String bridgeAddress;
  static volatile String labVeth;
  static volatile NetworkNamespace bridgeLeak;

  @BridgeNetwork
  static class BridgeNetworkTestCase {
    @Test
    void looksLikeDockersDefaultBridge(NetworkNamespace ns, @LabHost NetworkNamespace lab) throws Exception {
      bridgeLeak = ns;
      Link eth0 = ns.link("eth0").orElseThrow();
      assertThat(eth0.isUp()).isTrue();
      assertThat(eth0.mtu()).isEqualTo(1500);
      assertThat(eth0.kind()).contains("veth");
      Address v4 = ns.addresses().stream().filter(a -> a.interfaceName().equals("eth0") && a.isIpv4())
          .findFirst().orElseThrow();
      bridgeAddress = v4.toString();
      assertThat(v4.prefixLength()).isEqualTo(16);
      assertThat(v4.broadcast().orElseThrow().getHostAddress()).isEqualTo("172.17.255.255");
      List<String> routes = ns.routes().stream().filter(r -> !r.ipv6()).map(Route::toString).collect(Collectors.toList());
      String ip = v4.address().getHostAddress();
      assertThat(routes).contains("default via 172.17.0.1 dev eth0",
          "172.17.0.0/16 dev eth0 proto kernel scope link src " + ip);
      // the lab-side veth is a port of the bridge that carries the gateway
      Link peer = lab.link("if" + eth0.linkIndex()).orElse(null);
      List<Link> labLinks = lab.links();
      Link port = labLinks.stream().filter(l -> l.index() == eth0.linkIndex()).findFirst().orElseThrow();
      labVeth = port.name();
      String gatewayBridge = lab.addresses().stream().filter(a -> a.address().getHostAddress().equals("172.17.0.1"))
          .findFirst().orElseThrow().interfaceName();
      assertThat(port.master()).contains(gatewayBridge);
      assertThat(peer).isNull(); // "if7" is not a name
      // a TCP server "on the Docker host" is reachable through the gateway
      try (ServerSocket server = lab.call(() -> new ServerSocket(18080))) {
        Thread accept = new Thread(() -> {
          try (Socket c = server.accept(); OutputStream out = c.getOutputStream()) {
            out.write("hello from the lab\n".getBytes(UTF_8));
          } catch (Exception ignored) {
            // the test fails on its own if nothing arrives
          }
        });
        accept.start();
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("172.17.0.1", 18080), 2000);
          assertThat(new String(s.getInputStream().readAllBytes(), UTF_8)).isEqualTo("hello from the lab\n");
        }
        accept.join();
      }
    }
  }

  @Test
  void bridgeNetworkBuildsEth0WithDockersAddressingAndCleansUp() throws Exception {
    run(BridgeNetworkTestCase.class).assertStatistics(s -> s.started(1).succeeded(1));
    // any free address: other classes in this JVM may have used the pool before
    assertThat(bridgeAddress).matches("inet 172\\.17\\.\\d+\\.\\d+/16 brd 172\\.17\\.255\\.255 scope global eth0");
    assertThat(bridgeLeak.isClosed()).isTrue();
    // the kernel deletes the lab-side veth asynchronously once the endpoint's namespace is gone
    NetworkNamespace lab = labHandle();
    Await.until("the kernel to delete lab-side veth " + labVeth + " after the test", () -> lab.link(labVeth).isEmpty(),
        lab::snapshot);
  }

  static NetworkNamespace labHandle() {
    return new NetworkNamespace(Lab.get().netns(), "lab", () -> { }, true, false);
  }

  // ---- container (shared) ----

  static volatile NetworkNamespace sharedSeen;

  static class SharedTestCase {
    @NoNetwork
    static NetworkNamespace server;
    static ServerSocket listener;

    @BeforeAll
    static void startServer() throws Exception {
      listener = server.call(() -> new ServerSocket(6379));
    }

    @Test
    @SharedNetworkWith("server")
    void seesTheServersPort(NetworkNamespace ns) throws Exception {
      sharedSeen = ns;
      assertThat(ns.sharesStackWith(server)).isTrue();
      assertThat(threadNamespaceInode()).isEqualTo(server.id().inode());
      assertThat(ns.sockets()).anyMatch(s -> s.localPort() == 6379 && s.isListening());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", 6379), 2000);
      }
    }

    @Test
    void withoutAModeTheBodyStaysOnJunitsThread() throws Exception {
      assertThat(threadNamespaceInode()).isNotEqualTo(server.id().inode());
    }
  }

  @Test
  void sharedNetworkJoinsTheNamedEndpointsNamespace() throws Exception {
    run(SharedTestCase.class).assertStatistics(s -> s.started(2).succeeded(2));
    assertThat(SharedTestCase.server.isClosed()).isTrue();
    SharedTestCase.listener.close();
  }

  // ---- instance endpoints, lifecycle methods ----

  static final Set<String> perTestIds = ConcurrentHashMap.newKeySet();
  static final Set<Long> lifecycleInodes = ConcurrentHashMap.newKeySet();
  static final Set<Thread> lifecycleThreads = ConcurrentHashMap.newKeySet();

  @NoNetwork
  static class LifecycleTestCase {
    @BridgeNetwork
    NetworkNamespace web;

    @BeforeEach
    void before() {
      lifecycleInodes.add(threadNamespaceInode());
      lifecycleThreads.add(Thread.currentThread());
    }

    @Test
    void first(NetworkNamespace ns) {
      perTestIds.add(Long.toString(web.id().cookie()));
      lifecycleInodes.add(threadNamespaceInode());
      lifecycleThreads.add(Thread.currentThread());
      assertThat(web.link("eth0")).isPresent();
      assertThat(ns.sharesStackWith(web)).isFalse();
    }

    @Test
    void second() {
      perTestIds.add(Long.toString(web.id().cookie()));
    }

    @AfterEach
    void after(NetworkNamespace ns) {
      assertThat(threadNamespaceInode()).isEqualTo(ns.id().inode());
    }
  }

  @Test
  void instanceEndpointsArePerTestAndLifecycleMethodsShareTheTestThread() {
    perTestIds.clear();
    lifecycleInodes.clear();
    lifecycleThreads.clear();
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectMethod(LifecycleTestCase.class, "first", NetworkNamespace.class.getName()))
        .execute().testEvents().assertStatistics(s -> s.succeeded(1));
    assertThat(lifecycleInodes).hasSize(1);
    assertThat(lifecycleThreads).hasSize(1);
    run(LifecycleTestCase.class).assertStatistics(s -> s.succeeded(2));
    assertThat(perTestIds).hasSize(3);
  }

  // ---- precedence, nesting, meta-annotations ----

  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  @BridgeNetwork(subnet = "10.88.0.0/24", mtu = 1400)
  @interface BackendNetwork {}

  @NoNetwork
  static class PrecedenceTestCase {
    @Test
    @HostNetwork
    void methodWins(NetworkNamespace ns) {
      assertThat(ns.isHost()).isTrue();
    }

    @Test
    @BackendNetwork
    void metaAnnotation(NetworkNamespace ns) {
      assertThat(ns.link("eth0").orElseThrow().mtu()).isEqualTo(1400);
      assertThat(ns.addresses()).anyMatch(a -> a.toString().startsWith("inet 10.88.0.2/24 brd 10.88.0.255"));
    }

    @Test
    @BridgeNetwork(subnet = "100.72.0.0/24", gateway = "100.72.0.254", address = "100.72.0.50", mtu = 9000)
    void everyBridgeAttribute(NetworkNamespace ns) {
      Link eth0 = ns.link("eth0").orElseThrow();
      assertThat(eth0.mtu()).isEqualTo(9000);
      assertThat(eth0.mac()).contains("02:42:64:48:00:32"); // Docker's scheme: 02:42 + the IPv4 address
      assertThat(ns.addresses()).extracting(Address::toString)
          .contains("inet 100.72.0.50/24 brd 100.72.0.255 scope global eth0");
      assertThat(ns.routes()).extracting(Route::toString).contains("default via 100.72.0.254 dev eth0");
    }

    @Nested
    class Inner {
      @Test
      void inherits(NetworkNamespace ns) {
        assertThat(ns.isHost()).isFalse();
        assertThat(ns.links()).extracting(Link::name).containsExactly("lo");
      }
    }
  }

  @Test
  void methodAnnotationWinsNestedClassesInheritAndMetaAnnotationsWork() {
    run(PrecedenceTestCase.class).assertStatistics(s -> s.started(4).succeeded(4));
  }

  // ---- failures and timeouts ----

  static class Boom extends RuntimeException {
    private static final long serialVersionUID = 1L;
  }

  @SuppressWarnings("StaticAssignmentOfThrowable") // one instance, so the test can check it arrives unchanged
  static final Boom BOOM = new Boom();

  @NoNetwork
  static class FailingTestCase {
    @Test
    void throwsTheOriginal() {
      throw BOOM;
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.MILLISECONDS)
    void hangs() throws Exception {
      Thread.sleep(60_000);
    }
  }

  @Test
  void failuresAreRethrownUnchangedAndTimeoutsStillWork() {
    Events events = run(FailingTestCase.class);
    events.assertStatistics(s -> s.started(2).failed(2));
    assertThat(events.failed().stream()
        .map(e -> e.getRequiredPayload(TestExecutionResult.class).getThrowable().orElseThrow())
        .collect(Collectors.toList()))
        .anySatisfy(t -> assertThat(t).isSameAs(BOOM))
        .anySatisfy(t -> assertThat(t).isInstanceOf(TimeoutException.class));
  }

  // ---- parallel: same port, no cross-talk ----

  @BridgeNetwork
  static class ParallelTestCase {
    @RepeatedTest(24)
    void eachTestOwnsPort8080(NetworkNamespace ns, RepetitionInfo info) throws Exception {
      String id = "test-" + info.getCurrentRepetition();
      try (ServerSocket server = new ServerSocket(8080)) {
        Thread t = new Thread(() -> {
          try (Socket c = server.accept(); OutputStream out = c.getOutputStream()) {
            out.write(id.getBytes(UTF_8));
          } catch (Exception ignored) {
            // surfaces as a wrong answer below
          }
        });
        t.start();
        String ip = ns.addresses().stream().filter(a -> a.interfaceName().equals("eth0") && a.isIpv4())
            .findFirst().orElseThrow().address().getHostAddress();
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress(ip, 8080), 2000);
          InputStream in = s.getInputStream();
          assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo(id);
        }
        t.join();
      }
    }
  }

  @Test
  void parallelTestsBindTheSamePortWithoutCrossTalk() {
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(ParallelTestCase.class))
        .configurationParameter("junit.jupiter.execution.parallel.enabled", "true")
        .configurationParameter("junit.jupiter.execution.parallel.mode.default", "concurrent")
        .configurationParameter("junit.jupiter.execution.parallel.config.strategy", "fixed")
        .configurationParameter("junit.jupiter.execution.parallel.config.fixed.parallelism", "4")
        .execute().testEvents().assertStatistics(s -> s.started(24).succeeded(24));
  }

  static String hostLinks() {
    return Shell.run("ip", "-o", "link", "show");
  }
}
