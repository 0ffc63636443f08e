package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Address;
import dev.nsunit.model.Link;
import dev.nsunit.testing.Rootless;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Shell;
import java.io.File;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NetworkNamespaceTests {

  @Test
  void createdNamespaceHasOnlyLoopbackUpWithBothAddresses() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create()) {
      assertOnlyLoopbackUp(ns);

      JsonNode oracle = Ip.json(ns.path().toString(), "addr");
      assertThat(oracle).hasSize(1);
      assertThat(oracle.get(0).get("ifname").asText()).isEqualTo("lo");
      assertThat(oracle.get(0).get("flags").toString()).contains("\"UP\"");
    }
  }

  @Test
  void callingThreadNeverChangesNamespace() throws Exception {
    long before = Netns.currentThreadNamespaceInode();
    try (NetworkNamespace ns = NetworkNamespace.create()) {
      long inside = ns.call(Netns::currentThreadNamespaceInode);
      assertThat(inside).isEqualTo(ns.id().inode()).isNotEqualTo(before);
      assertThat(Netns.currentThreadNamespaceInode()).isEqualTo(before);
      ns.snapshot();
      ns.run(() -> new ServerSocket(0).close());
      assertThat(Netns.currentThreadNamespaceInode()).isEqualTo(before);
    }
    assertThat(Netns.currentThreadNamespaceInode()).isEqualTo(before);
  }

  @Test
  void executorAndThreadFactoryThreadsLiveInTheNamespace() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create()) {
      Executor executor = ns.executor();
      long viaExecutor = CompletableFuture.supplyAsync(Netns::currentThreadNamespaceInode, executor).get();
      AtomicLong viaFactory = new AtomicLong();
      Thread t = ns.threadFactory().newThread(() -> viaFactory.set(Netns.currentThreadNamespaceInode()));
      t.start();
      t.join();
      assertThat(viaExecutor).isEqualTo(ns.id().inode());
      assertThat(viaFactory.get()).isEqualTo(ns.id().inode());
    }
  }

  @Test
  void processesStartInTheNamespaceAndAreKilledByClose() throws Exception {
    Process sleeper;
    try (NetworkNamespace ns = NetworkNamespace.create()) {
      Process p = ns.start(new ProcessBuilder("readlink", "/proc/self/ns/net"));
      String link = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      assertThat(p.waitFor()).isZero();
      assertThat(link).isEqualTo("net:[" + ns.id().inode() + "]");
      sleeper = ns.start(new ProcessBuilder("sleep", "600"));
      assertThat(sleeper.isAlive()).isTrue();
    }
    assertThat(sleeper.isAlive()).isFalse();
  }

  @Test
  void socketsOpenedInsideBelongToTheNamespace() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create();
        ServerSocket server = ns.call(() -> new ServerSocket(0))) {
      assertThat(ns.sockets()).anySatisfy(s -> assertThat(s.localPort()).isEqualTo(server.getLocalPort()));
      // the host cannot connect to it: the port exists only inside
      assertThatThrownBy(() -> {
        try (Socket client = new Socket()) {
          client.connect(new InetSocketAddress("127.0.0.1", server.getLocalPort()), 1000);
        }
      }).isInstanceOfAny(ConnectException.class, SocketException.class);
    }
  }

  @Test
  void nonLoopbackDestinationsAreUnreachable() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create()) {
      assertThatThrownBy(() -> ns.run(() -> {
        try (Socket s = new Socket()) {
          s.connect(new InetSocketAddress("172.17.0.1", 80), 1000);
        }
      })).isInstanceOf(SocketException.class).hasMessageContaining("Network is unreachable");
    }
  }

  @Test
  void closeIsIdempotentAndReleasesFdsAndThreads() throws Exception {
    NetworkNamespace warm = NetworkNamespace.create();
    warm.run(() -> { });
    warm.sockets();
    warm.close();
    long fdsBefore = openFds();
    int threadsBefore = nsunitThreads();
    NetworkNamespace ns = NetworkNamespace.create();
    ns.run(() -> { });
    ns.sockets();
    assertThat(openFds()).isGreaterThan(fdsBefore);
    ns.close();
    ns.close();
    assertThat(ns.isClosed()).isTrue();
    assertThat(openFds()).isEqualTo(fdsBefore);
    assertThat(nsunitThreads()).isEqualTo(threadsBefore);
    assertThatThrownBy(ns::links).isInstanceOf(IllegalStateException.class).hasMessageContaining("is closed");
  }

  @Test
  void identitySurvivesInodeReuse() {
    NetworkNamespace first = NetworkNamespace.create();
    var firstId = first.id();
    first.close();
    // inodes are recycled quickly; cookies never are
    for (int i = 0; i < 20; i++) {
      try (NetworkNamespace next = NetworkNamespace.create()) {
        assertThat(next.id()).isNotEqualTo(firstId);
      }
    }
  }

  @Test
  void hostIsTheJvmsOwnNamespace() throws Exception {
    try (NetworkNamespace host = NetworkNamespace.host(); NetworkNamespace other = NetworkNamespace.create()) {
      assertThat(host.isHost()).isTrue();
      assertThat(other.isHost()).isFalse();
      assertThat(host.id().inode()).isEqualTo(inodeOf(Path.of("/proc/self/ns/net")));
      assertThat(host.links()).extracting(Link::name).contains("lo");
    }
  }

  @Test
  void opensNamedAndProcNamespaces() throws Exception {
    Rootless.assumeRealRoot("ip netns add bind-mounts the namespace under /run/netns, a mount a user namespace may not make");
    String name = "nsu-open-" + ProcessHandle.current().pid();
    Shell.run("ip", "netns", "add", name);
    try {
      Shell.run("ip", "-n", name, "addr", "add", "192.0.2.7/24", "dev", "lo");
      try (NetworkNamespace named = NetworkNamespace.open(Path.of("/run/netns/" + name));
          NetworkNamespace viaProc = NetworkNamespace.open(named.path())) {
        assertThat(named.sharesStackWith(viaProc)).isTrue();
        assertThat(named.addresses()).extracting(Address::toString).anyMatch(s -> s.contains("192.0.2.7/24"));
      }
    } finally {
      Shell.run("ip", "netns", "del", name);
    }
  }

  @Test
  void openingAMissingPathNamesTheSyscallAndErrno() {
    assertThatThrownBy(() -> NetworkNamespace.open(Path.of("/run/netns/does-not-exist")))
        .hasMessageContaining("open(/run/netns/does-not-exist)")
        .hasMessageContaining("ENOENT");
  }

  /** Docker's --network none: only lo, up, MTU 65536, with 127.0.0.1/8 and ::1. */
  static void assertOnlyLoopbackUp(NetworkNamespace ns) {
    List<Link> links = ns.links();
    assertThat(links).extracting(Link::name).containsExactly("lo");
    assertThat(links.get(0).isUp()).isTrue();
    assertThat(links.get(0).mtu()).isEqualTo(65536);
    assertThat(ns.addresses()).extracting(a -> a.prefix().toString())
        .containsExactlyInAnyOrder("127.0.0.1/8", "::1/128");
  }

  static long openFds() {
    return new File("/proc/self/fd").list().length;
  }

  static int nsunitThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("nsunit-")).collect(Collectors.toList()).size();
  }

  static long inodeOf(Path nsLink) throws Exception {
    String t = Files.readSymbolicLink(nsLink).toString();
    return Long.parseLong(t.substring(t.indexOf('[') + 1, t.length() - 1));
  }
}
