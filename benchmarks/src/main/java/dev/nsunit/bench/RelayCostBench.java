package dev.nsunit.bench;

import dev.nsunit.Fault;
import dev.nsunit.Faults;
import dev.nsunit.LabNetwork;
import dev.nsunit.NetworkNamespace;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * What the userspace frame relay (latency and seeded loss on kernels without netem) costs when it
 * adds nothing: UDP round trips (median, p99) and one TCP stream's throughput between two
 * endpoints of a bridge network, straight and through a relay set to 0 ms, alternately. Run as
 * root:
 *
 * <pre>
 * java -cp benchmarks/target/nsunit-bench.jar dev.nsunit.bench.RelayCostBench
 * </pre>
 */
public final class RelayCostBench {
  static final int ROUND_TRIPS = 5_000;
  static final int STREAM_BYTES = 200_000_000;

  private RelayCostBench() {}

  /** Prints one line per path and round. */
  public static void main(String[] args) throws Exception {
    ExecutorService threads = Executors.newCachedThreadPool();
    LabNetwork net = LabNetwork.create("relay-bench", "10.117.0.0/24"); // networks live as long as the JVM
    try (NetworkNamespace client = NetworkNamespace.create("client");
         NetworkNamespace server = NetworkNamespace.create("server")) {
      net.connect(client);
      net.connect(server);
      InetAddress address = server.ipv4Address("relay-bench").orElseThrow();
      DatagramSocket echo = server.call(() -> new DatagramSocket(new InetSocketAddress(address, 7)));
      threads.execute(() -> {
        byte[] buf = new byte[64];
        try {
          while (true) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            echo.receive(p);
            echo.send(p);
          }
        } catch (Exception closed) {
          // end of the benchmark
        }
      });
      System.out.printf(Locale.ROOT, "%-8s %12s %12s %14s%n", "path", "rtt med us", "rtt p99 us", "tcp Mbit/s");
      for (int round = 0; round < 4; round++) {
        for (boolean relayed : new boolean[] {false, true}) {
          Fault relay = relayed ? Faults.latency(client, Duration.ZERO, Duration.ZERO, Faults.Direction.BOTH) : null;
          try {
            List<Long> rtts = roundTrips(client, address);
            double mbit = stream(client, server, address, threads);
            if (round > 0) { // the first round warms the JIT
              System.out.printf(Locale.ROOT, "%-8s %12.1f %12.1f %14.0f%n", relayed ? "relay" : "straight",
                  ExtensionOverheadBench.median(rtts) / 1e3, ExtensionOverheadBench.percentile(rtts, 0.99) / 1e3, mbit);
            }
          } finally {
            if (relay != null) {
              relay.close();
            }
          }
        }
      }
      echo.close();
    } finally {
      threads.shutdownNow();
    }
  }

  static List<Long> roundTrips(NetworkNamespace client, InetAddress server) throws Exception {
    try (DatagramSocket s = client.call(DatagramSocket::new)) {
      s.connect(server, 7);
      s.setSoTimeout(1_000);
      byte[] buf = new byte[32];
      List<Long> out = new ArrayList<>();
      for (int i = 0; i < ROUND_TRIPS; i++) {
        long t0 = System.nanoTime();
        s.send(new DatagramPacket(buf, buf.length));
        s.receive(new DatagramPacket(buf, buf.length));
        out.add(System.nanoTime() - t0);
      }
      return out;
    }
  }

  static double stream(NetworkNamespace client, NetworkNamespace server, InetAddress address, ExecutorService threads)
      throws Exception {
    try (ServerSocket listener = server.serverSocketFactory().createServerSocket(0, 1, address)) {
      Future<Double> received = threads.submit(() -> {
        try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
          byte[] buf = new byte[1 << 16];
          long total = 0;
          long t0 = System.nanoTime();
          for (int n; (n = in.read(buf)) > 0; ) {
            total += n;
          }
          return total * 8.0 / ((System.nanoTime() - t0) / 1e9) / 1e6;
        }
      });
      try (Socket s = client.socketFactory().createSocket(address, listener.getLocalPort());
           OutputStream out = s.getOutputStream()) {
        byte[] chunk = new byte[1 << 16];
        for (int sent = 0; sent < STREAM_BYTES; sent += chunk.length) {
          out.write(chunk);
        }
      }
      return received.get();
    }
  }
}
