package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.Link;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Loss, rate and latency judged by measured traffic, never by reading the configuration back:
 * ping's round trips under added latency (within ±20 %), 1,000 UDP probes under loss (within
 * five standard deviations of the binomial mean), a TCP transfer under a rate limit (within
 * ±15 %). Each fault is healed and the traffic measured again; the relay leaves no port behind.
 */
class ShapingFaultsTests {
  static final String NET = "shaping-net";
  static final int PROBES = 1_000;
  static LabNetwork net;
  static NetworkNamespace api;
  static NetworkNamespace db;
  static InetAddress dbAddress;
  static DatagramSocket echo;
  static ExecutorService threads = Executors.newCachedThreadPool();

  @BeforeAll
  static void topology() throws Exception {
    net = LabNetwork.create(NET, "10.116.0.0/24");
    api = NetworkNamespace.create("api");
    db = NetworkNamespace.create("db");
    net.connect(api);
    net.connect(db);
    dbAddress = db.ipv4Address(NET).orElseThrow();
    echo = db.call(() -> new DatagramSocket(new InetSocketAddress(dbAddress, 7)));
    threads.execute(ShapingFaultsTests::echoLoop);
    assertThat(medianRtt(3)).isLessThan(5.0); // warm: both sides know each other's MAC
  }

  @AfterAll
  static void end() throws Exception {
    if (echo != null) {
      echo.close();
    }
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    for (NetworkNamespace ns : new NetworkNamespace[] {api, db}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  @Test
  void fiftyMillisecondsOfLatencyShowInPingsRoundTripsAndGoWhenHealed() throws Exception {
    try (Fault slow = Faults.latency(api, Duration.ofMillis(50))) {
      assertThat(slow.description()).isEqualTo("latency 50 ms outgoing at api");
      double median = medianRtt(20);
      System.out.printf("latency 50 ms outgoing: median round trip %.1f ms%n", median);
      assertThat(median).isBetween(40.0, 60.0);
      assertThat(labTaps()).hasSize(1);
    }
    assertThat(medianRtt(10)).isLessThan(5.0);
    assertThat(labTaps()).isEmpty();
    Lab.Attachment a = EndpointNetworks.of(api.netns()).snapshot().get(0).attachment();
    Link labVeth = Lab.get().netns().rtnetlink().link(a.labVethIndex()).orElseThrow();
    assertThat(labVeth.masterIndex()).as("api's veth is a port of its bridge again").isEqualTo(a.bridgeIndex());
    assertThat(labVeth.flagNames()).doesNotContain("NOARP");
  }

  @Test
  void latencyBothWaysCountsTwiceAndJitterSpreadsTheRoundTrips() throws Exception {
    try (Fault slow = Faults.latency(api, Duration.ofMillis(50), Duration.ZERO, Faults.Direction.BOTH)) {
      assertThat(medianRtt(20)).isBetween(80.0, 120.0);
    }
    try (Fault jittery = Faults.latency(api, Duration.ofMillis(50), Duration.ofMillis(20), Faults.Direction.OUTGOING)) {
      List<Double> rtts = rtts(30);
      assertThat(rtts).allSatisfy(t -> assertThat(t).isBetween(28.0, 75.0));
      assertThat(rtts.stream().mapToDouble(Double::doubleValue).max().orElseThrow()
          - rtts.stream().mapToDouble(Double::doubleValue).min().orElseThrow()).isGreaterThan(10.0);
    }
  }

  @ParameterizedTest
  @EnumSource(value = Faults.Direction.class, names = {"OUTGOING", "INCOMING"})
  void tenPercentLossLosesAboutOneProbeInTenAndNoneWhenHealed(Faults.Direction direction) throws Exception {
    try (Fault lossy = Faults.loss(api, 10, direction)) {
      assertThat(lossy.description()).isEqualTo("loss 10% " + direction.describe() + " at api");
      int lost = lostProbes(PROBES).size();
      System.out.printf("loss 10%% %s: %d of %d probes lost%n", direction.describe(), lost, PROBES);
      // binomial(1000, 0.1): mean 100, standard deviation 9.5; five of them either side
      assertThat(lost).isBetween(53, 147);
    }
    assertThat(lostProbes(200)).isEmpty();
  }

  @Test
  void aSeededLossLosesTheSameProbesEveryRun() throws Exception {
    List<Integer> first;
    try (Fault f = Faults.loss(api, 10, Faults.Direction.OUTGOING, 42)) {
      assertThat(f.description()).isEqualTo("loss 10% outgoing at api (seed 42)");
      first = lostProbes(300);
    }
    List<Integer> again;
    try (Fault f = Faults.loss(api, 10, Faults.Direction.OUTGOING, 42)) {
      again = lostProbes(300);
    }
    List<Integer> other;
    try (Fault f = Faults.loss(api, 10, Faults.Direction.OUTGOING, 7)) {
      other = lostProbes(300);
    }
    assertThat(first).hasSizeBetween(5, 60).isEqualTo(again).isNotEqualTo(other);
    assertThat(labTaps()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(value = Faults.Direction.class, names = {"OUTGOING", "INCOMING"})
  void tenMegabitsASecondCarryTenMegabitsASecond(Faults.Direction direction) throws Exception {
    NetworkNamespace limited = direction == Faults.Direction.OUTGOING ? api : db;
    try (Fault slow = Faults.rateLimit(limited, 10_000_000, direction)) {
      assertThat(slow.description()).isEqualTo("rate 10 Mbit/s " + direction.describe() + " at " + limited.name());
      double bitsPerSecond = transfer(3_000_000);
      System.out.printf("rate 10 Mbit/s %s: %.2f Mbit/s measured%n", direction.describe(), bitsPerSecond / 1e6);
      assertThat(bitsPerSecond).isBetween(8.5e6, 11.5e6);
    }
    assertThat(transfer(3_000_000)).isGreaterThan(50e6); // healed: back to a veth's speed
  }

  @Test
  void aSecondRateLimitOrRelayOnTheSameInterfaceIsRefusedByName() {
    try (Fault slow = Faults.rateLimit(api, 1_000_000, Faults.Direction.OUTGOING)) {
      assertThatThrownBy(() -> Faults.rateLimit(api, 2_000_000, Faults.Direction.OUTGOING))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("api's eth0 has a rate limit already (or a netem delay, which takes the same place); heal it"
              + " before setting another.");
    }
    try (Fault slow = Faults.latency(api, Duration.ofMillis(5))) {
      assertThatThrownBy(() -> Faults.loss(api, 5, Faults.Direction.OUTGOING, 1))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("api's eth0 already has relay nsut")
          .hasMessageEndingWith("; heal it first, or set delay and loss in one fault.");
    }
    assertThatThrownBy(() -> Faults.loss(api, 0, Faults.Direction.OUTGOING))
        .hasMessage("loss is a percentage above 0 and at most 100, not 0.0; for no loss, heal the fault.");
  }

  @Test
  void faultsEndWithTheEndpointsScope() throws Exception {
    NetworkNamespace brief = NetworkNamespace.create("brief");
    net.connect(brief);
    Fault slow = Faults.latency(brief, Duration.ofMillis(20));
    Fault lossy = Faults.loss(brief, 50, Faults.Direction.INCOMING);
    Fault rate = Faults.rateLimit(brief, 1_000_000, Faults.Direction.BOTH);
    assertThat(labTaps()).hasSize(1);
    brief.close();
    assertThat(List.of(slow, lossy, rate)).allMatch(Fault::isHealed);
    assertThat(labTaps()).isEmpty();
  }

  // ---- measurements ----

  /** Each round trip of {@code count} pings from api to db, in milliseconds, as ping prints them. */
  static List<Double> rtts(int count) throws Exception {
    String out = run(api, "ping", "-n", "-c", String.valueOf(count), "-i", "0.05", "-W", "2", dbAddress.getHostAddress());
    List<Double> times = new ArrayList<>();
    Matcher m = Pattern.compile("time=([0-9.]+) ms").matcher(out);
    while (m.find()) {
      times.add(Double.parseDouble(m.group(1)));
    }
    assertThat(times).as("round trips in:%n%s", out).hasSize(count);
    return times;
  }

  static double medianRtt(int count) throws Exception {
    List<Double> times = rtts(count);
    times.sort(null);
    return times.get(times.size() / 2);
  }

  /**
   * Sends {@code count} numbered UDP probes from api to db's echo, one at a time, each waiting up
   * to 100 ms for its answer; returns the numbers that got none.
   */
  static List<Integer> lostProbes(int count) throws Exception {
    try (DatagramSocket s = api.call(DatagramSocket::new)) {
      s.connect(dbAddress, 7);
      s.setSoTimeout(100);
      List<Integer> lost = new ArrayList<>();
      byte[] in = new byte[4];
      for (int i = 0; i < count; i++) {
        s.send(new DatagramPacket(ByteBuffer.allocate(4).putInt(i).array(), 4));
        if (!answered(s, in, i)) {
          lost.add(i);
        }
      }
      return lost;
    }
  }

  private static boolean answered(DatagramSocket s, byte[] in, int number) throws IOException {
    while (true) {
      DatagramPacket p = new DatagramPacket(in, 4);
      try {
        s.receive(p);
      } catch (SocketTimeoutException e) {
        return false;
      }
      if (ByteBuffer.wrap(in).getInt() == number) {
        return true;
      } // else a late answer to an earlier probe
    }
  }

  static void echoLoop() {
    byte[] buf = new byte[64];
    try {
      while (true) {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        echo.receive(p);
        echo.send(p);
      }
    } catch (SocketException e) {
      // closed by end()
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Sends {@code bytes} over TCP from api to db; returns the rate the receiver saw, first byte to last, in bit/s. */
  static double transfer(int bytes) throws Exception {
    try (ServerSocket server = db.serverSocketFactory().createServerSocket(0, 1, dbAddress)) {
      Future<Double> received = threads.submit(() -> {
        try (Socket s = server.accept(); InputStream in = s.getInputStream()) {
          byte[] buf = new byte[65536];
          int n = in.read(buf);
          long start = System.nanoTime();
          long total = n;
          while ((n = in.read(buf)) > 0) {
            total += n;
          }
          assertThat(total).isEqualTo(bytes);
          return (total * 8.0) / ((System.nanoTime() - start) / 1e9);
        }
      });
      try (Socket s = api.socketFactory().createSocket(dbAddress, server.getLocalPort());
           OutputStream out = s.getOutputStream()) {
        out.write(new byte[bytes]);
      }
      return received.get(60, TimeUnit.SECONDS);
    }
  }

  /** The relays' ports in the JVM's lab host ({@code nsutN}): one per relay in effect. */
  static List<String> labTaps() {
    return Lab.get().netns().rtnetlink().links().stream().map(Link::name).filter(n -> n.startsWith("nsut")).toList();
  }

  static String run(NetworkNamespace ns, String... command) throws Exception {
    Process p = ns.start(new ProcessBuilder(command).redirectErrorStream(true));
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as("%s:%n%s", String.join(" ", command), out).isZero();
    return out;
  }
}
