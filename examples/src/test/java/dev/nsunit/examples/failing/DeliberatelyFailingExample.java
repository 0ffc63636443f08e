package dev.nsunit.examples.failing;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.Partition;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fails on purpose, to show what a failed test leaves behind: its client cannot reach the
 * database, because the test partitions them. Its name keeps it out of the normal run (Surefire
 * runs {@code *Tests}); {@link WhenATestFailsExampleTests} runs it and reads the evidence.
 */
class DeliberatelyFailingExample {
  @BridgeNetwork
  static NetworkNamespace db;

  static ServerSocket postgres;

  @BeforeAll
  static void startTheDatabase() throws Exception {
    postgres = db.serverSocketFactory().createServerSocket(5432);
  }

  @AfterAll
  static void stopTheDatabase() throws Exception {
    postgres.close();
  }

  @Test
  @BridgeNetwork
  @Partition({"", "db"})
  void connectsToTheDatabase(NetworkNamespace ns) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(db.ipv4Address().orElseThrow(), 5432), 1_000); // times out: the SYN is dropped
    }
  }
}
