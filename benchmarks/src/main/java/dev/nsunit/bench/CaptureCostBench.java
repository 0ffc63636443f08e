package dev.nsunit.bench;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.internal.capture.PacketCapture;
import dev.nsunit.internal.ns.Netns;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;

/**
 * What the packet capture behind a failed test's pcap costs passing tests: the same fixtures run
 * with {@code nsunit.capture=true} (the default) and {@code false}, interleaved, timed from
 * JUnit's "started" to "finished" of each test. Two fixtures: an empty {@code @BridgeNetwork}
 * test (the capture's socket and registration per endpoint) and one that makes 2,000 TCP
 * request/response round trips of 100 bytes with an endpoint of the class (about 8,000 frames
 * captured per test, in both endpoints). Run as root:
 *
 * <pre>
 * java -cp benchmarks/target/nsunit-bench.jar dev.nsunit.bench.CaptureCostBench
 * </pre>
 */
public final class CaptureCostBench {
  static final int EMPTY_TESTS = 500;
  static final int TRAFFIC_TESTS = 30;
  static final int ROUND_TRIPS = 2_000;

  /** An empty test with a bridge endpoint of its own. */
  @BridgeNetwork
  public static class EmptyTestCase {
    @RepeatedTest(EMPTY_TESTS)
    void test(NetworkNamespace ns) {}
  }

  /** Round trips between the test's endpoint and an echo server in an endpoint of the class. */
  public static class TrafficTestCase {
    @BridgeNetwork static NetworkNamespace server;
    static ServerSocket listener;
    static Thread echo;

    @BeforeAll
    static void startEcho() throws Exception {
      listener = server.serverSocketFactory().createServerSocket(7000);
      echo = new Thread(() -> {
        try {
          while (true) {
            try (Socket s = listener.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
              s.setTcpNoDelay(true);
              byte[] buf = new byte[100];
              while (true) {
                new DataInputStream(in).readFully(buf);
                out.write(buf);
              }
            } catch (EOFException endOfOneClient) {
              // next client
            }
          }
        } catch (Exception closed) {
          // the listener was closed
        }
      });
      echo.start();
    }

    @AfterAll
    static void stopEcho() throws Exception {
      listener.close();
      echo.join();
    }

    @RepeatedTest(TRAFFIC_TESTS)
    @BridgeNetwork
    void test(NetworkNamespace ns) throws Exception {
      try (Socket s = new Socket()) {
        s.setTcpNoDelay(true);
        s.connect(new InetSocketAddress(server.ipv4Address().orElseThrow(), 7000), 5_000);
        DataOutputStream out = new DataOutputStream(s.getOutputStream());
        DataInputStream in = new DataInputStream(s.getInputStream());
        byte[] buf = new byte[100];
        for (int i = 0; i < ROUND_TRIPS; i++) {
          out.write(buf);
          in.readFully(buf);
        }
      }
    }
  }

  private CaptureCostBench() {}

  /** Runs each fixture with the capture on and off, three rounds interleaved after a warm-up, and prints a table. */
  public static void main(String[] args) {
    Launcher launcher = LauncherFactory.create();
    Map<String, List<Long>> times = new ConcurrentHashMap<>();
    Class<?>[] fixtures = {EmptyTestCase.class, TrafficTestCase.class};
    for (Class<?> f : fixtures) { // warm-up
      run(launcher, f, true, new ConcurrentHashMap<>());
      run(launcher, f, false, new ConcurrentHashMap<>());
    }
    for (int round = 0; round < 3; round++) {
      for (Class<?> f : fixtures) {
        run(launcher, f, true, times);
        run(launcher, f, false, times);
      }
    }
    // the capture's own work per endpoint, without the namespace around it: open, register, close
    List<Long> own = new ArrayList<>();
    try (Netns ns = Netns.create("capture-bench")) {
      for (int i = 0; i < 3_000; i++) {
        long t0 = System.nanoTime();
        PacketCapture.start(ns, "bench", 1 << 20).close();
        if (i >= 1_000) {
          own.add(System.nanoTime() - t0);
        }
      }
    }
    System.out.printf(Locale.ROOT, "capture start + close alone: median %.1f us, p95 %.1f us%n",
        ExtensionOverheadBench.median(own) / 1e3, ExtensionOverheadBench.percentile(own, 0.95) / 1e3);
    System.out.printf(Locale.ROOT, "%-10s %-8s %6s %10s %10s%n", "fixture", "capture", "tests", "median ms", "p95 ms");
    for (Class<?> f : fixtures) {
      for (boolean capture : new boolean[] {true, false}) {
        List<Long> t = times.get(key(f, capture));
        System.out.printf(Locale.ROOT, "%-10s %-8s %6d %10.3f %10.3f%n", f.getSimpleName().replace("TestCase", ""),
            capture ? "on" : "off", t.size(), ExtensionOverheadBench.median(t) / 1e6,
            ExtensionOverheadBench.percentile(t, 0.95) / 1e6);
      }
    }
  }

  private static String key(Class<?> fixture, boolean capture) {
    return fixture.getSimpleName() + capture;
  }

  private static void run(Launcher launcher, Class<?> fixture, boolean capture, Map<String, List<Long>> times) {
    List<Long> durations = ExtensionOverheadBench.time(launcher, LauncherDiscoveryRequestBuilder.request()
        .selectors(selectClass(fixture)).configurationParameter("nsunit.capture", Boolean.toString(capture)).build(),
        fixture.getSimpleName());
    times.computeIfAbsent(key(fixture, capture), k -> Collections.synchronizedList(new ArrayList<>())).addAll(durations);
  }
}
