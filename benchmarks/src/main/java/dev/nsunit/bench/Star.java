package dev.nsunit.bench;

import dev.nsunit.LabNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.NamespacePool;
import dev.nsunit.model.Link;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A star of N endpoints on one network, built with nsunit's programmatic API, for the scale
 * harness ({@code shared/bench/scale/run.py --extra}): builds it, checks that every endpoint
 * reaches the first one (one ICMP echo each, {@link NetworkNamespace#ping}: sent from inside the endpoint by this JVM, no
 * process per host; {@value #WORKERS} at a time), tears it down ({@value #WORKERS} endpoints
 * closing at a time), waits until the kernel has removed every veth, and prints
 * one JSON line: {@code build_s}, {@code check_s}, {@code check_fail}, {@code teardown_s}.
 *
 * <pre>
 * java -cp benchmarks/target/nsunit-bench.jar dev.nsunit.bench.Star N [--pingall]
 * </pre>
 *
 * <p>With {@code --pingall} every endpoint pings every other one. With the environment variable
 * {@code V6OFF=1} (the harness's {@code --v6off}) the network is created with
 * {@link LabNetwork.Builder#quietIpv6()}. The system property {@code star.pool} sizes the
 * namespace pool (default 0, off; see below). The JSON line also splits the build into the time
 * spent in {@code NetworkNamespace.create} and in {@code connect}, and stderr gets each phase's
 * start on the {@code CLOCK_MONOTONIC} clock, for {@code perf record -k CLOCK_MONOTONIC ... --time}.
 * Run as root.
 */
public final class Star {
  private static final Duration TIMEOUT = Duration.ofSeconds(1);
  /** Checks and closes run on this many threads at once, as a test suite in parallel would. */
  private static final int WORKERS = 4;

  private Star() {}

  /** Builds, checks and tears down a star of {@code args[0]} endpoints. */
  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: Star N [--pingall]");
    }
    int n = Integer.parseInt(args[0]);
    // a loop that builds hundreds of endpoints gains nothing from namespaces made ahead of time:
    // every one is taken at once, and the pool's background work competes with the loop for the
    // kernel's RTNL lock (0.5 s more at N=500, measured)
    NamespacePool.shared().resize(Integer.getInteger("star.pool", 0));
    ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
    boolean pingAll = args.length > 1 && args[1].equals("--pingall");
    boolean quiet = "1".equals(System.getenv("V6OFF"));
    // the subnet holds N hosts: a /16 up to 65,000
    LabNetwork.Builder builder = LabNetwork.builder("star").subnet("10.88.0.0/16");
    if (quiet) {
      builder.quietIpv6();
    }
    LabNetwork net = builder.create();
    List<NetworkNamespace> hosts = new ArrayList<>(n);
    List<InetAddress> addresses = new ArrayList<>(n);
    long t0 = System.nanoTime();
    try {
      long creating = 0;
      for (int i = 1; i <= n; i++) {
        long c0 = System.nanoTime();
        NetworkNamespace h = NetworkNamespace.create("h" + i);
        creating += System.nanoTime() - c0;
        hosts.add(h);
        addresses.add(net.connect(h).address());
      }
      long t1 = System.nanoTime();
      List<Future<Boolean>> probes = new ArrayList<>();
      AtomicInteger done = new AtomicInteger();
      NetworkNamespace first = hosts.get(0);
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (i == j || (!pingAll && j != 0)) {
            continue;
          }
          InetAddress target = addresses.get(j);
          NetworkNamespace from = hosts.get(i);
          probes.add(workers.submit(() -> {
            boolean reached = from.ping(target, TIMEOUT).isReached();
            // the kernel has one neighbour table for all namespaces, of 1024 entries (gc_thresh3),
            // and cannot reclaim entries younger than 5 s: a star of 1,000 needs about 2,000
            from.flushNeighbours();
            if (done.incrementAndGet() % 100 == 0) {
              first.flushNeighbours(); // the answering side learned an entry for every prober
            }
            return reached;
          }));
        }
      }
      int fails = 0;
      for (Future<Boolean> p : probes) {
        if (!p.get()) {
          fails++;
        }
      }
      long t2 = System.nanoTime();
      List<Future<?>> closing = new ArrayList<>();
      for (NetworkNamespace h : hosts) {
        closing.add(workers.submit(h::close));
      }
      for (Future<?> c : closing) {
        c.get();
      }
      hosts.clear();
      long t3 = System.nanoTime();
      waitForVeths(net);
      long t4 = System.nanoTime();
      // for a profile of one phase (perf record -k CLOCK_MONOTONIC ... --time): where each began, in s
      System.err.printf(Locale.ROOT, "phases (CLOCK_MONOTONIC s): build %.6f check %.6f teardown %.6f end %.6f%n",
          t0 / 1e9, t1 / 1e9, t2 / 1e9, t4 / 1e9);
      System.out.printf(Locale.ROOT, "{\"tool\": \"nsunit\", \"v6off\": %s, \"n\": %d, \"build_s\": %.4f, \"check_s\": %.4f,"
          + " \"check_fail\": %d, \"teardown_s\": %.4f, \"build_detail_s\": {\"create\": %.4f, \"connect\": %.4f},"
          + " \"teardown_detail_s\": {\"close_returned\": %.4f, \"veth_settle\": %.4f}}%n", quiet, n, (t1 - t0) / 1e9,
          (t2 - t1) / 1e9, fails, (t4 - t2) / 1e9, creating / 1e9, (t1 - t0 - creating) / 1e9, (t3 - t2) / 1e9,
          (t4 - t3) / 1e9);
      System.exit(fails == 0 ? 0 : 1);
    } finally {
      for (NetworkNamespace h : hosts) {
        h.close();
      }
      workers.shutdownNow();
    }
  }

  /** Waits until the network's bridge in the lab has no port left. */
  private static void waitForVeths(LabNetwork net) throws InterruptedException {
    String bridge = Lab.get().existingNetwork(net.name()).orElseThrow().name();
    while (true) {
      boolean any = false;
      for (Link l : Lab.get().netns().rtnetlink().links()) {
        if (l.master().filter(bridge::equals).isPresent()) {
          any = true;
          break;
        }
      }
      if (!any) {
        return;
      }
      Thread.sleep(5);
    }
  }
}
