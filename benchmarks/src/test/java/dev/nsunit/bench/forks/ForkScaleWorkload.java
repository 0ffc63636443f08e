package dev.nsunit.bench.forks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The workload of the many-JVMs measurement ({@code benchmarks/fork-scale.sh}, README "Many
 * JVMs"): each repetition gets a bridge endpoint, listens on the same port as every other test
 * (which only works if each is alone in its namespace), talks to itself over its eth0 address
 * with a token no other test knows, and waits 20 ms as a test waiting on I/O does. Eight
 * subclasses, so that Surefire can hand classes to several forks; inside a fork they run 4-way
 * parallel when the script asks for it. Any cross-talk between tests, in one JVM or across JVMs,
 * fails a test: a foreign token, a port already taken, or two tests of one JVM with one address.
 */
@BridgeNetwork
abstract class ForkScaleWorkload {
  static final int PORT = 8080;
  static final int TESTS_PER_CLASS = 40;
  private static final Set<InetAddress> LIVE = ConcurrentHashMap.newKeySet();

  @RepeatedTest(TESTS_PER_CLASS)
  void talksOnlyToItself(NetworkNamespace ns) throws Exception {
    InetAddress me = ns.ipv4Address().orElseThrow();
    assertThat(LIVE.add(me)).as("no other running test of this JVM has %s", me).isTrue();
    try (ServerSocket server = new ServerSocket()) {
      server.bind(new InetSocketAddress(PORT));
      String token = UUID.randomUUID().toString();
      try (Socket client = new Socket(me, PORT); Socket accepted = server.accept()) {
        new DataOutputStream(client.getOutputStream()).writeUTF(token);
        assertThat(new DataInputStream(accepted.getInputStream()).readUTF()).isEqualTo(token);
        assertThat(accepted.getInetAddress()).isEqualTo(me);
      }
      Thread.sleep(20);
    } finally {
      LIVE.remove(me);
    }
  }
}
