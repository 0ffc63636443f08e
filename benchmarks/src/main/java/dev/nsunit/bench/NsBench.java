package dev.nsunit.bench;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.netlink.LinkRequest;
import dev.nsunit.internal.netlink.RouteRequest;
import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.internal.netlink.SockDiag;
import dev.nsunit.internal.ns.NamespacePool;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Address;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Link;
import dev.nsunit.model.Route;
import dev.nsunit.model.InetSocket;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * nsunit's entry point for the shared namespace-fixture benchmark ({@code shared/bench/run.sh},
 * protocol in its README, "Adding the Java framework"). It drives the engine directly, the way
 * the JUnit extension does, and prints one CSV row per iteration:
 * {@code impl,workload,iter,setup_ns,teardown_ns,t_end_ns} (warm-ups have {@code iter < 0}).
 *
 * <pre>
 * java -cp nsunit-bench.jar dev.nsunit.bench.NsBench w1|w2|w2L|w3 -n N -w WARM -k START -x 161 -t j -i java [-V]
 * </pre>
 *
 * <ul>
 *   <li>W1: {@link Netns#create} (fresh netns held by an fd, {@code lo} up), then close.
 *   <li>W2: W1 plus a veth {@code pbv<tag><g>} in pbhost (master pbbr0, up) whose peer
 *       {@code eth0} is created inside the netns, then one batch inside (eth0 up, address,
 *       default route). Teardown deletes the host veth explicitly, then closes the netns.
 *   <li>W2L: W2 without the explicit delete: closing the netns lets the kernel delete the pair.
 *   <li>W3: one inspection round of pbinsp: links, addresses, IPv4 routes, TCP listeners.
 * </ul>
 *
 * <p>Times are {@link System#nanoTime()}, which is CLOCK_MONOTONIC on Linux, as in the other
 * implementations. Results are kept in memory and printed at the end: no I/O in the loop. It
 * runs exactly the warm-ups {@code -w} asks for; benchmarks/README.md explains the JVM flags
 * the recorded runs used (they move JIT compilation into those warm-ups).
 */
public final class NsBench {
  private static final Path HOST = Path.of("/run/netns/pbhost");
  private static final Path INSPECTED = Path.of("/run/netns/pbinsp");
  private static final String BRIDGE = "pbbr0";
  private static final InetAddress GATEWAY = ipv4(10, 77, 0, 1);

  private final String workload;
  private final int iterations;
  private final int warmups;
  private final int start;
  private final int xbase;
  private final String tag;
  private final String impl;
  private final boolean verify;

  private Netns host;
  private int bridgeIndex;
  private Netns inspected;
  private int inspectedObjects = -1;

  private NsBench(String[] args) {
    workload = args[0];
    int n = 200;
    int w = 0;
    int k = 0;
    int x = 161;
    String t = "j";
    String i = "java";
    boolean v = false;
    for (int a = 1; a < args.length; a++) {
      switch (args[a]) {
        case "-n": n = Integer.parseInt(args[++a]); break;
        case "-w": w = Integer.parseInt(args[++a]); break;
        case "-k": k = Integer.parseInt(args[++a]); break;
        case "-x": x = Integer.parseInt(args[++a]); break;
        case "-t": t = args[++a]; break;
        case "-i": i = args[++a]; break;
        case "-V": v = true; break;
        default: throw new IllegalArgumentException("unknown option " + args[a] + "; " + usage());
      }
    }
    iterations = n;
    warmups = w;
    start = k;
    xbase = x;
    tag = t;
    impl = i;
    verify = v;
  }

  private static String usage() {
    return "usage: NsBench w1|w2|w2L|w3 [-n N] [-w WARM] [-k START] [-x XBASE] [-t TAG] [-i IMPL] [-V]";
  }

  /** Runs one block of the harness; see the class comment for the arguments. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println(usage());
      System.exit(2);
    }
    new NsBench(args).run();
  }

  private void run() throws Exception {
    // the harness times making a namespace, as C does; a namespace taken from the pool was made
    // before the clock started (ExtensionOverheadBench measures the pool)
    NamespacePool.shared().resize(0);
    // Like every other implementation, move into pbhost first. setns() is per thread: this
    // thread and the threads it starts from now on live in pbhost; the host side's netlink
    // socket is opened there by Netns.open.
    int hostFd = Libc.openReadOnly(HOST.toString());
    try {
      Libc.setns(hostFd, Libc.CLONE_NEWNET);
    } finally {
      Libc.close(hostFd);
    }
    host = Netns.open(HOST, "pbhost");
    try {
      bridgeIndex = host.rtnetlink().indexOf(BRIDGE);
      Iteration body;
      switch (workload) {
        case "w1": body = this::w1; break;
        case "w2": body = (i, r, at) -> w2(i, r, at, false); break;
        case "w2L": body = (i, r, at) -> w2(i, r, at, true); break;
        case "w3":
          inspected = Netns.open(INSPECTED, "pbinsp");
          inspected.sockDiag(); // opened once, like the C floor's sockets
          body = this::w3;
          break;
        default: throw new IllegalArgumentException("unknown workload " + workload + "; " + usage());
      }
      long[] results = new long[3 * (warmups + iterations)];
      for (int i = 0; i < warmups + iterations; i++) {
        body.run(i, results, 3 * i);
      }
      PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.out, StandardCharsets.US_ASCII)));
      for (int i = 0; i < warmups + iterations; i++) {
        out.printf("%s,%s,%d,%d,%d,%d%n", impl, workload, i - warmups, results[3 * i], results[3 * i + 1], results[3 * i + 2]);
      }
      out.flush();
    } finally {
      if (inspected != null) {
        inspected.close();
      }
      host.close();
    }
  }

  /** One iteration: stores setup ns, teardown ns and the time of the last drop at {@code r[at..at+2]}. */
  @FunctionalInterface
  private interface Iteration {
    void run(int i, long[] r, int at) throws Exception;
  }

  private void w1(int i, long[] r, int at) {
    String name = "pb" + tag + (start + i);
    long t0 = System.nanoTime();
    Netns ns = Netns.create(name);
    long t1 = System.nanoTime();
    ns.close();
    long t2 = System.nanoTime();
    r[at] = t1 - t0;
    r[at + 1] = t2 - t1;
    r[at + 2] = t2;
  }

  private void w2(int i, long[] r, int at, boolean lazy) throws Exception {
    int g = start + i;
    String name = "pb" + tag + g;
    String hostVeth = "pbv" + tag + g;
    IpPrefix address = new IpPrefix(ipv4(10, 77, xbase + g / 250, 1 + g % 250), 16);
    Rtnetlink hostRt = host.rtnetlink();
    long t0 = System.nanoTime();
    Netns ns = Netns.create(name);
    long t1;
    try {
      hostRt.add(LinkRequest.veth(hostVeth, "eth0", ns.fd()).master(bridgeIndex).up());
      Rtnetlink rt = ns.rtnetlink();
      int eth0 = rt.indexOf("eth0");
      rt.batch(new Rtnetlink.Batch().setUp(eth0).addAddress(eth0, address).addRoute(RouteRequest.defaultVia(GATEWAY)));
      t1 = System.nanoTime();
      if (verify && i == 0) {
        verify(ns);
      }
      if (!lazy) {
        hostRt.delete(hostRt.indexOf(hostVeth)); // synchronous: ~30 ms of RCU grace periods
      }
    } finally {
      ns.close(); // with W2L, the kernel deletes the veth pair later (cleanup_net)
    }
    long t2 = System.nanoTime();
    r[at] = t1 - t0;
    r[at + 1] = t2 - t1;
    r[at + 2] = t2;
  }

  /** Like nsbench -V: shows the endpoint and pings the gateway once from inside (stderr). */
  private static void verify(Netns ns) throws IOException, InterruptedException {
    String path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + ns.fd();
    Process p = new ProcessBuilder("nsenter", "--net=" + path, "sh", "-c",
        "ip -br addr; ip route; ping -c1 -W1 10.77.0.1 >/dev/null && echo ping 10.77.0.1 from netns ok")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
    // stdout carries the CSV, so the check's output goes to stderr like the C floor's
    p.getInputStream().close();
    if (p.waitFor() != 0) {
      throw new IllegalStateException("verification failed in " + path);
    }
  }

  private void w3(int i, long[] r, int at) {
    Rtnetlink rt = inspected.rtnetlink();
    SockDiag diag = inspected.sockDiag();
    long t0 = System.nanoTime();
    List<Link> links = rt.links();
    List<Address> addresses = rt.addresses(links);
    List<Route> routes = rt.routes(links);
    List<InetSocket> listeners = diag.tcpListeners();
    long t1 = System.nanoTime();
    int ipv4Routes = 0;
    for (Route route : routes) {
      if (!route.ipv6()) {
        ipv4Routes++;
      }
    }
    int objects = links.size() + addresses.size() + ipv4Routes + listeners.size();
    if (inspectedObjects < 0) {
      inspectedObjects = objects;
    } else if (objects != inspectedObjects) {
      throw new IllegalStateException("w3: object count changed " + inspectedObjects + " -> " + objects);
    }
    r[at] = t1 - t0;
    r[at + 1] = 0;
    r[at + 2] = t1;
  }

  private static InetAddress ipv4(int a, int b, int c, int d) {
    try {
      return Inet4Address.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
