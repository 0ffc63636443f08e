package dev.nsunit.internal.escape;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.internal.escape.Escape.Evidence;
import dev.nsunit.internal.escape.EscapeMonitor.Window;
import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.testing.Shell;
import dev.nsunit.testing.SsEvents;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * {@link EscapeMonitor} against the kernel, watching namespaces the tests make (only loopback
 * traffic, inside them); {@code ss} is the oracle. Needs root or the rootless launcher.
 */
class EscapeMonitorTests {
  private static final long PID = ProcessHandle.current().pid();
  private static final InetAddress V4 = InetAddress.getLoopbackAddress();

  @Test
  void aSocketStillOpenAtTheEndIsReportedWithTheDescriptorThatSsShows() throws Exception {
    try (Netns ns = Netns.create("escape-open"); EscapeMonitor monitor = watch(ns, Optional.empty());
        ServerSocket server = ns.call(() -> new ServerSocket(0, 50, V4))) {
      Window w = monitor.begin("test");
      Socket[] pair = ns.call(() -> {
        Socket c = new Socket();
        c.connect(server.getLocalSocketAddress());
        return new Socket[] {c, server.accept()};
      });
      try (Socket client = pair[0]; Socket accepted = pair[1]) {
        EscapeReport report = w.end();
        // the client only: the server existed before, and accepted its connection on its own
        assertThat(report.escapes()).hasSize(1);
        Escape e = report.escapes().get(0);
        assertThat(e.evidence()).isEqualTo(Evidence.DESCRIPTOR);
        assertThat(e.socket().localPort()).isEqualTo(client.getLocalPort());
        assertThat(e.socket().remotePort()).isEqualTo(server.getLocalPort());
        // the oracle: ss in that namespace shows this JVM's descriptor e.fd() on that very connection
        assertThat(ssLine(ns, e.fd())).startsWith("tcp ESTAB ")
            .contains(" " + e.socket().localText() + " " + e.socket().remoteText() + " ");
        assertThat(report.namespaceInode()).isEqualTo(ns.id().inode());
        assertThat(report.gaps()).isEmpty();
      }
    }
  }

  @Test
  void inANamespaceOnlyThisJvmUsesEverySocketThatOpenedAndClosedIsReportedAsSsSawItDestroyed() throws Exception {
    try (Netns ns = Netns.create("escape-closed"); EscapeMonitor monitor = watch(ns, Optional.empty());
        Servers servers = Servers.in(ns)) {
      assertThat(monitor.isPrivateNamespace()).isTrue();
      assertThat(monitor.sharedWith()).isEmpty();
      try (SsEvents ss = SsEvents.start("/proc/" + PID + "/fd/" + ns.fd())) {
        Window w = monitor.begin("test");
        List<InetSocketAddress> locals = ns.call(() -> List.of(
            servers.tcpAndClose(StandardProtocolFamily.INET), servers.tcpAndClose(StandardProtocolFamily.INET6),
            servers.udpAndClose(StandardProtocolFamily.INET, false),
            servers.udpAndClose(StandardProtocolFamily.INET6, false)));
        EscapeReport report = w.end();
        assertThat(report.escapes()).extracting(e -> e.socket().protocol().netid() + " " + e.socket().localPort())
            .containsExactlyInAnyOrder("tcp " + locals.get(0).getPort(), "tcp " + locals.get(1).getPort(),
                "udp " + locals.get(2).getPort(), "udp " + locals.get(3).getPort());
        assertThat(report.escapes()).allSatisfy(e -> assertThat(e.evidence()).isEqualTo(Evidence.PRIVATE_NAMESPACE));
        for (Escape e : report.escapes()) {
          ss.await(e.socket().protocol().netid() + " ", " " + e.socket().localText() + " ", " " + e.socket().remoteText());
        }
      }
    }
  }

  @Test
  void inASharedNamespaceAClosedSocketIsReportedOnlyWhenItsPeerIsAServerOfThisJvm() throws Exception {
    try (Netns ns = Netns.create("escape-shared"); EscapeMonitor monitor = watch(ns, Optional.of(false));
        Servers servers = Servers.in(ns)) {
      Window w = monitor.begin("test");
      List<InetSocketAddress> locals = ns.call(() -> List.of(
          servers.tcpAndClose(StandardProtocolFamily.INET), servers.udpAndClose(StandardProtocolFamily.INET6, true),
          servers.udpAndClose(StandardProtocolFamily.INET, false)));
      EscapeReport report = w.end();
      // the unconnected UDP socket (the last) has no peer: in a shared namespace it cannot be told
      // from another process's
      assertThat(report.escapes()).extracting(e -> e.socket().localPort())
          .containsExactlyInAnyOrder(locals.get(0).getPort(), locals.get(1).getPort());
      assertThat(report.escapes()).allSatisfy(e -> assertThat(e.evidence()).isEqualTo(Evidence.PEER_IN_THIS_JVM));
      assertThat(report.privateNamespace()).isFalse();
    }
  }

  @Test
  void socketsThatExistedWhenTheWindowOpenedAreNeverReported() throws Exception {
    try (Netns ns = Netns.create("escape-old"); EscapeMonitor monitor = watch(ns, Optional.empty());
        Servers servers = Servers.in(ns)) {
      SocketChannel stays = ns.call(() -> SocketChannel.open(servers.tcp4.getLocalAddress()));
      SocketChannel closes = ns.call(() -> SocketChannel.open(servers.tcp4.getLocalAddress()));
      DatagramChannel udp = ns.call(() -> DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(V4, 0)));
      try (stays) {
        Window w = monitor.begin("test");
        ns.call(() -> {
          closes.close();
          udp.close();
          return null;
        });
        assertThat(w.end().escapes()).isEmpty();
      }
    }
  }

  @Test
  void socketsThisJvmOpenedBetweenTwoWindowsBelongToNeither() throws Exception {
    // in a shared namespace a window starts from the last window's end dump; this JVM's own
    // sockets are read afresh each time, so what it opened in between is not the second window's
    try (Netns ns = Netns.create("escape-between"); EscapeMonitor monitor = watch(ns, Optional.of(false));
        Servers servers = Servers.in(ns)) {
      assertThat(monitor.begin("first").end().escapes()).isEmpty();
      SocketChannel stays = ns.call(() -> SocketChannel.open(servers.tcp4.getLocalAddress()));
      SocketChannel closes = ns.call(() -> SocketChannel.open(servers.tcp6.getLocalAddress()));
      DatagramChannel udp = ns.call(() -> {
        DatagramChannel d = DatagramChannel.open(StandardProtocolFamily.INET);
        d.connect(servers.udp4.getLocalAddress());
        d.write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8)));
        return d;
      });
      try (stays) {
        Window second = monitor.begin("second");
        InetSocketAddress opened = ns.call(() -> {
          closes.close();
          udp.close();
          return servers.tcpAndClose(StandardProtocolFamily.INET);
        });
        // only the connection made while the window was open
        assertThat(second.end().escapes()).extracting(e -> e.socket().localPort())
            .containsExactly(opened.getPort());
      }
    }
  }

  @Test
  void anotherProcessesSocketsAreNotThisJvmsUnlessItIsAChildInAPrivateNamespace() throws Exception {
    try (Netns ns = Netns.create("escape-child"); EscapeMonitor shared = watch(ns, Optional.of(false));
        EscapeMonitor own = watch(ns, Optional.of(true))) {
      Window sharedWindow = shared.begin("shared");
      Window ownWindow = own.begin("private");
      // a child that talks to itself over loopback: a server, a connection it keeps, one it closes
      Process child = ns.start(new ProcessBuilder("python3", "-c", String.join("\n",
          "import socket, sys",
          "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen()",
          "kept = socket.create_connection(l.getsockname()); a1, _ = l.accept()",
          "gone = socket.create_connection(l.getsockname()); a2, _ = l.accept()",
          "port = gone.getsockname()[1]; gone.close(); a2.close()",
          "print(kept.getsockname()[1], port, flush=True)",
          "sys.stdin.read()")));
      try (OutputStream stdin = child.getOutputStream();
          BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
        int[] ports = Arrays.stream(out.readLine().split(" ", -1)).mapToInt(Integer::parseInt).toArray();
        EscapeReport sharedReport = sharedWindow.end();
        EscapeReport ownReport = ownWindow.end();
        assertThat(sharedReport.escapes()).isEmpty();
        // no descriptor of ours holds the kept connection; the closed one is only attributed
        // because a private namespace's sockets are all ours or our children's
        assertThat(ownReport.escapes()).extracting(e -> e.socket().localPort()).containsExactly(ports[1]);
        stdin.close();
      } finally {
        child.waitFor();
      }
    }
  }

  @Test
  void socketsClosedOnEveryCpuBeforeTheEndAreAllReported() throws Exception {
    BitSet cpus = Libc.cpuAffinity();
    try (Netns ns = Netns.create("escape-cpus"); EscapeMonitor monitor = watch(ns, Optional.empty())) {
      Window w = monitor.begin("test");
      List<Integer> ports = new ArrayList<>();
      for (int cpu = cpus.nextSetBit(0); cpu >= 0; cpu = cpus.nextSetBit(cpu + 1)) {
        int c = cpu;
        ports.add(onNewThread(ns, () -> {
          BitSet one = new BitSet();
          one.set(c);
          Libc.setCpuAffinity(one);
          try (DatagramChannel d = DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(V4, 0))) {
            // a datagram to itself: a socket that carried nothing may go unreported (the monitor
            // skips waiting for the last events when the namespace's counters did not move)
            d.send(ByteBuffer.wrap(new byte[] {1}), d.getLocalAddress());
            return ((InetSocketAddress) d.getLocalAddress()).getPort();
          }
        }));
      }
      assertThat(w.end().escapes()).extracting(e -> e.socket().localPort()).containsExactlyInAnyOrderElementsOf(ports);
    }
  }

  @Test
  void overlappingWindowsEachSeeWhatHappenedWhileTheyWereOpenAndNameEachOther() throws Exception {
    try (Netns ns = Netns.create("escape-overlap"); EscapeMonitor monitor = watch(ns, Optional.empty());
        Servers servers = Servers.in(ns)) {
      Window first = monitor.begin("first");
      InetSocketAddress before = ns.call(() -> servers.udpAndClose(StandardProtocolFamily.INET, false));
      Window second = monitor.begin("second");
      InetSocketAddress during = ns.call(() -> servers.udpAndClose(StandardProtocolFamily.INET, false));
      EscapeReport firstReport = first.end();
      InetSocketAddress after = ns.call(() -> servers.udpAndClose(StandardProtocolFamily.INET, false));
      EscapeReport secondReport = second.end();
      assertThat(firstReport.escapes()).extracting(e -> e.socket().localPort())
          .containsExactlyInAnyOrder(before.getPort(), during.getPort());
      assertThat(secondReport.escapes()).extracting(e -> e.socket().localPort())
          .containsExactlyInAnyOrder(during.getPort(), after.getPort());
      assertThat(firstReport.overlapping()).containsExactly("second");
      assertThat(secondReport.overlapping()).containsExactly("first");
    }
  }

  @Test
  void theJvmsOwnNamespaceIsSharedWhenTheProcessThatStartedThisJvmIsInItAsReadlinkSays() {
    EscapeMonitor jvm = EscapeMonitor.forJvm();
    long inode = jvm.namespaceInode();
    assertThat(inode).isEqualTo(Netns.currentThreadNamespaceInode());
    assertThat(jvm.eventsUnavailable()).isEmpty();
    assertThat(jvm.isPrivateNamespace()).isEqualTo(jvm.sharedWith().isEmpty());
    // Maven's JVM started this one and is not its descendant: in root mode it shares our
    // namespace, under the rootless launcher it stays outside
    long parent = ProcessHandle.current().parent().orElseThrow().pid();
    boolean parentHere;
    try {
      parentHere = Files.readSymbolicLink(Path.of("/proc/" + parent + "/ns/net")).toString().equals("net:[" + inode + "]");
    } catch (IOException notOurs) {
      // under the rootless launcher the parent is outside our user namespace: its link is not ours to read
      parentHere = false;
    }
    if (parentHere) {
      assertThat(jvm.isPrivateNamespace()).isFalse();
      assertThat(jvm.sharedWith()).anySatisfy(p -> assertThat(p).startsWith(parent + " ("));
    } else if (inode != NamespaceSharing.PROC_NET_INIT_INO) {
      assertThat(jvm.sharedWith()).noneSatisfy(p -> assertThat(p).startsWith(parent + " ("));
    }
  }

  @Test
  void whatAWindowCosts() {
    EscapeMonitor jvm = EscapeMonitor.forJvm();
    for (int i = 0; i < 500; i++) {
      jvm.begin("warm-up").end();
    }
    int n = 500;
    long[] wall = new long[n];
    long[] work = new long[n];
    for (int i = 0; i < n; i++) {
      long t0 = System.nanoTime();
      EscapeReport r = jvm.begin("cost").end();
      wall[i] = System.nanoTime() - t0;
      work[i] = r.costNanos();
    }
    Arrays.sort(wall);
    Arrays.sort(work);
    System.out.printf("escape window (begin+end) in the JVM's own namespace (%d sockets there, load average %s):"
        + " wall median %.3f ms, p95 %.3f ms; on the monitor's thread median %.3f ms, p95 %.3f ms; %d windows%n",
        socketCount(), loadAverage(), wall[n / 2] / 1e6, wall[n * 95 / 100] / 1e6, work[n / 2] / 1e6,
        work[n * 95 / 100] / 1e6, n);
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).split(" ", -1)[0];
    } catch (IOException e) {
      return "?";
    }
  }

  private static int socketCount() {
    return (int) Shell.run("ss", "-Htuna").lines().count();
  }

  private static EscapeMonitor watch(Netns ns, Optional<Boolean> privateNamespace) {
    return EscapeMonitor.open("/proc/self/fd/" + ns.fd(), "test", privateNamespace);
  }

  /** The line of {@code ss -Htuanp} in {@code ns} for the socket this JVM holds as {@code fd}. */
  private static String ssLine(Netns ns, int fd) {
    String out = Shell.in("/proc/" + PID + "/fd/" + ns.fd(), "ss", "-Htuanp");
    return out.lines().map(l -> l.trim().replaceAll("\\s+", " ")).filter(l -> l.contains("pid=" + PID + ",fd=" + fd + ")"))
        .findFirst().orElseThrow(() -> new AssertionError("ss shows no socket held by fd " + fd + ":\n" + out));
  }

  private static <T> T onNewThread(Netns ns, Callable<T> task) throws Exception {
    Object[] result = new Object[1];
    Exception[] failure = new Exception[1];
    Thread t = ns.threadFactory().newThread(() -> {
      try {
        result[0] = task.call();
      } catch (Exception e) {
        failure[0] = e;
      }
    });
    t.start();
    t.join();
    if (failure[0] != null) {
      throw failure[0];
    }
    @SuppressWarnings("unchecked")
    T r = (T) result[0];
    return r;
  }

  /** A TCP and a UDP server per address family on the loopback of one namespace, made before any window. */
  private static final class Servers implements AutoCloseable {
    final ServerSocketChannel tcp4;
    final ServerSocketChannel tcp6;
    final DatagramChannel udp4;
    final DatagramChannel udp6;

    private Servers(ServerSocketChannel tcp4, ServerSocketChannel tcp6, DatagramChannel udp4, DatagramChannel udp6) {
      this.tcp4 = tcp4;
      this.tcp6 = tcp6;
      this.udp4 = udp4;
      this.udp6 = udp6;
    }

    static Servers in(Netns ns) throws Exception {
      return ns.call(() -> {
        InetAddress v6 = Inet6Address.getByName("::1");
        return new Servers(
            ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(V4, 0)),
            ServerSocketChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress(v6, 0)),
            DatagramChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress(V4, 0)),
            DatagramChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress(v6, 0)));
      });
    }

    /** Connects to this family's TCP server, closes, returns the client's local address. */
    InetSocketAddress tcpAndClose(StandardProtocolFamily family) throws Exception {
      try (SocketChannel c = SocketChannel.open(family)) {
        c.connect((family == StandardProtocolFamily.INET ? tcp4 : tcp6).getLocalAddress());
        return (InetSocketAddress) c.getLocalAddress();
      }
    }

    /** Sends one datagram to this family's UDP server (connected first, or not), closes, returns the local address. */
    InetSocketAddress udpAndClose(StandardProtocolFamily family, boolean connect) throws Exception {
      DatagramChannel server = family == StandardProtocolFamily.INET ? udp4 : udp6;
      try (DatagramChannel d = DatagramChannel.open(family)) {
        ByteBuffer ping = ByteBuffer.wrap("ping".getBytes(StandardCharsets.UTF_8));
        if (connect) {
          d.connect(server.getLocalAddress());
          d.write(ping);
        } else {
          d.send(ping, server.getLocalAddress());
        }
        return (InetSocketAddress) d.getLocalAddress();
      }
    }

    @Override
    public void close() throws Exception {
      try (tcp4; tcp6; udp4; udp6) {
        // closes all four
      }
    }
  }
}
