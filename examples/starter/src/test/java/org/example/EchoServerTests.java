package org.example;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.NetworkNamespace;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A server in one namespace, clients in others: the static endpoint {@code server} lives for the
 * class and serves a line echo on 172.17.0.10:7000; each test is a client on the same bridge.
 */
@BridgeNetwork
class EchoServerTests {
  @BridgeNetwork(address = "172.17.0.10") static NetworkNamespace server;

  private static ServerSocket listener;
  private static Thread echo;

  @BeforeAll
  static void startServer() throws Exception {
    listener = server.call(() -> new ServerSocket(7000)); // created, so bound, inside server
    echo = server.threadFactory().newThread(EchoServerTests::serve);
    echo.start();
  }

  @AfterAll
  static void stopServer() throws Exception {
    listener.close();
    echo.join(); // a thread still in the namespace when it closes would fail the class
  }

  private static void serve() {
    while (!listener.isClosed()) {
      try (Socket client = listener.accept();
          BufferedReader in = new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8));
          OutputStream out = client.getOutputStream()) {
        out.write((in.readLine() + "\n").getBytes(StandardCharsets.UTF_8));
      } catch (IOException e) {
        // the listener was closed, or a client went away: the loop condition decides
      }
    }
  }

  @Test
  void theServerListensInItsNamespaceOnly(NetworkNamespace ns) {
    assertThat(server).isListeningOn(7000);
    assertThat(ns).isNotListeningOn(7000);
  }

  @Test
  void aClientOnTheBridgeGetsItsLineBack() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("172.17.0.10", 7000), 2000);
      s.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
      BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
      assertThat(in.readLine()).isEqualTo("hello");
    }
  }
}
