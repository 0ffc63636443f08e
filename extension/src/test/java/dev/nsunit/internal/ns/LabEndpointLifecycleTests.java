package dev.nsunit.internal.ns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Shell;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, item 1, on the engine: an ended endpoint stops receiving frames at once, although
 * its namespace is torn down lazily (and may live on as a ghost), and its address is handed out
 * again only once its port has left the bridge. A UDP socket kept open in the ended endpoint
 * makes the ghost deterministic: it holds the namespace, as a leaked socket would.
 */
class LabEndpointLifecycleTests {
  static final IpPrefix SUBNET = IpPrefix.parse("172.17.0.0/16");
  static final InetAddress GATEWAY = InetAddresses.parse("172.17.0.1");

  @Test
  void anEndedEndpointStopsReceivingAtOnceWhileItsNamespaceLivesOn() throws Exception {
    Lab lab = Lab.get();
    Lab.Bridge bridge = lab.bridge(SUBNET, GATEWAY);
    Lab.Attachment ended = lab.attach("ended", bridge, null, 1500);
    Lab.Attachment peer = lab.attach("peer", bridge, null, 1500);
    InetSocketAddress target = new InetSocketAddress(ended.address(), 9999);
    DatagramSocket pin = ended.endpoint().call(() -> new DatagramSocket(target));
    try {
      pin.setSoTimeout(5_000);
      send(peer, target, "before");
      assertThat(receive(pin)).isEqualTo("before"); // the path works, and the bridge learned the port

      ended.close();

      // iproute2's view: the port is still there (the namespace lives on), but disabled, and the
      // bridge has forgotten what it learned on it
      String labPath = path(lab.netns());
      JsonNode port = port(labPath, ended.labVeth());
      assertThat(port).as("port %s of the ended endpoint", ended.labVeth()).isNotNull();
      assertThat(port.get("state").asText()).isEqualTo("disabled");
      assertThat(learnedOn(labPath, ended.labVeth())).isEmpty();
      // and a datagram to its address no longer arrives
      send(peer, target, "after");
      pin.setSoTimeout(500);
      assertThat(catchThrowable(() -> receive(pin))).isInstanceOf(SocketTimeoutException.class);
    } finally {
      pin.close();
      ended.close();
      peer.close();
    }
  }

  @Test
  void aFixedAddressWaitsForItsPreviousPortToLeaveTheBridge() {
    Lab lab = Lab.get();
    Lab.Bridge bridge = lab.bridge(SUBNET, GATEWAY);
    InetAddress fixed = InetAddresses.parse("172.17.0.210");
    String labPath = path(lab.netns());
    for (int i = 0; i < 5; i++) {
      Lab.Attachment first = lab.attach("first", bridge, fixed, 1500);
      String oldPort = first.labVeth();
      first.close();
      Lab.Attachment second = lab.attach("second", bridge, fixed, 1500);
      try {
        assertThat(port(labPath, oldPort)).as("the previous holder's port %s when the address came back", oldPort)
            .isNull();
      } finally {
        second.close();
      }
    }
  }

  @Test
  void aGhostKeepsItsFixedAddressAndARequestForItFailsAtOnceNamingTheSocket() throws Exception {
    Lab lab = Lab.get();
    Lab.Bridge bridge = lab.bridge(SUBNET, GATEWAY);
    InetAddress fixed = InetAddresses.parse("172.17.0.211");
    Lab.Attachment ghost = lab.attach("ghost", bridge, fixed, 1500);
    DatagramSocket pin = ghost.endpoint().call(() -> new DatagramSocket(new InetSocketAddress(fixed, 9999)));
    long inode = udpInode(ghost.endpoint(), 9999);
    try {
      ghost.close();
      long start = System.nanoTime();
      Throwable refused = catchThrowable(() -> lab.attach("again", bridge, fixed, 1500));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      System.out.printf("a request for a ghost's address was refused after %d ms%n", ms);
      assertThat(refused).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("address 172.17.0.211 requested by endpoint again is still held by a ghost:"
              + " the namespace of ended endpoint ghost (")
          .hasMessageContaining("is kept alive by 1 socket(s) of this JVM (socket:[" + inode + "])")
          .hasMessageContaining("its port " + ghost.labVeth() + " is still on bridge " + bridge.name());
      assertThat(ms).as("hang guard: a ghost is recognised, not waited for").isLessThan(5_000);
    } finally {
      pin.close();
    }
    // once the socket is closed the namespace goes, and the address with it
    lab.attach("again", bridge, fixed, 1500).close();
  }

  @Test
  void aDynamicAddressWaitsForItsPreviousPortWhenThePoolHasNoOther() {
    Lab lab = Lab.get();
    // a /30: the gateway .1 and one host address, .2
    Lab.Bridge bridge = lab.bridge(IpPrefix.parse("10.99.7.0/30"), InetAddresses.parse("10.99.7.1"));
    String labPath = path(lab.netns());
    for (int i = 0; i < 5; i++) {
      Lab.Attachment first = lab.attach("first", bridge, null, 1500);
      String oldPort = first.labVeth();
      first.close();
      Lab.Attachment second = lab.attach("second", bridge, null, 1500);
      try {
        assertThat(second.address()).isEqualTo(first.address());
        assertThat(port(labPath, oldPort)).as("the previous holder's port %s when the address came back", oldPort)
            .isNull();
      } finally {
        second.close();
      }
    }
  }

  @Test
  void aPoolWhoseOnlyAddressIsHeldByAGhostFailsAtOnce() throws Exception {
    Lab lab = Lab.get();
    Lab.Bridge bridge = lab.bridge(IpPrefix.parse("10.99.8.0/30"), InetAddresses.parse("10.99.8.1"));
    Lab.Attachment ghost = lab.attach("ghost", bridge, null, 1500);
    DatagramSocket pin = ghost.endpoint().call(() -> new DatagramSocket(new InetSocketAddress(ghost.address(), 9999)));
    long inode = udpInode(ghost.endpoint(), 9999);
    try {
      ghost.close();
      Throwable refused = catchThrowable(() -> lab.attach("next", bridge, null, 1500));
      assertThat(refused).isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("the address pool of 10.99.8.0/30 is exhausted: 0 host addresses are held by live"
              + " endpoints and 1 by ghosts of ended endpoints, kept alive by sockets of this JVM ("
              + "socket:[" + inode + "])");
    } finally {
      pin.close();
    }
    lab.attach("next", bridge, null, 1500).close();
  }

  // ---- helpers ----

  static void send(Lab.Attachment from, InetSocketAddress to, String text) throws Exception {
    from.endpoint().call(() -> {
      try (DatagramSocket s = new DatagramSocket()) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        s.send(new DatagramPacket(b, b.length, to));
      }
      return null;
    });
  }

  static String receive(DatagramSocket s) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[64], 64);
    s.receive(p);
    return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8);
  }

  static String path(Netns netns) {
    return "/proc/" + ProcessHandle.current().pid() + "/fd/" + netns.fd(); // the JVM's fd, seen from nsenter
  }

  /** The port as {@code bridge -j link} shows it, or null if the lab has no such port. */
  static JsonNode port(String labPath, String name) {
    JsonNode ports = Ip.parse(Shell.in(labPath, "bridge", "-j", "link", "show"));
    for (JsonNode p : ports) {
      if (p.get("ifname").asText().equals(name)) {
        return p;
      }
    }
    return null;
  }

  /** The MACs the bridge learned on port {@code name} ({@code bridge -j fdb}, permanent entries left out). */
  static List<String> learnedOn(String labPath, String name) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : Ip.parse(Shell.in(labPath, "bridge", "-j", "fdb", "show"))) {
      if (e.path("ifname").asText().equals(name) && !e.path("state").asText().equals("permanent")) {
        out.add(e.get("mac").asText());
      }
    }
    return out;
  }

  /** The inode of the UDP socket bound to {@code port} in {@code ns}, as {@code ss -Huane} shows it. */
  static long udpInode(Netns ns, int port) {
    String out = Shell.in(path(ns), "ss", "-Huane");
    for (String line : (Iterable<String>) out.lines()::iterator) {
      Matcher m = Pattern.compile(":" + port + "\\s.*\\bino:(\\d+)").matcher(line);
      if (m.find()) {
        return Long.parseLong(m.group(1));
      }
    }
    throw new AssertionError("ss shows no UDP socket on port " + port + ":\n" + out);
  }

}
