package dev.nsunit.examples;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.Connect;
import dev.nsunit.Network;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.OutsideWorld;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The internet behind a Docker host's NAT: a payment provider "out there" at 203.0.113.10, which
 * a container reaches through its default route and the host's masquerade, so the provider sees
 * the Docker host's address, never the container's. A container on an internal network cannot
 * reach it at all, as with {@code docker network create --internal}.
 */
@Network(name = "vault", subnet = "172.30.0.0/16", internal = true)
class OutsideWorldExampleTests {
  @Test
  @BridgeNetwork
  void aContainerReachesTheInternetBehindTheHostsAddress(NetworkNamespace ns) throws Exception {
    OutsideWorld internet = OutsideWorld.get();
    InetAddress payments = internet.host("203.0.113.10");
    try (ServerSocket provider = internet.namespace().serverSocketFactory().createServerSocket(443, 50, payments)) {
      CompletableFuture<String> seen = new CompletableFuture<>();
      Thread server = new Thread(() -> {
        try (Socket s = provider.accept(); OutputStream out = s.getOutputStream()) {
          seen.complete(s.getInetAddress().getHostAddress());      // whom the provider sees
          out.write("200 OK\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          seen.completeExceptionally(e);
        }
      });
      server.start();
      try (Socket client = ns.socketFactory().createSocket()) {     // the container's own socket
        client.connect(new InetSocketAddress(payments, 443), 5_000);
        InputStream in = client.getInputStream();
        assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("200 OK\n");
      }
      assertThat(seen.get(10, TimeUnit.SECONDS)).isEqualTo("192.0.2.2");  // the "Docker host", not 172.17.0.x
      server.join();
    }
  }

  @Test
  @Connect(network = "vault")
  void anInternalNetworkHasNoWayOut(NetworkNamespace ns) {
    OutsideWorld.get().host("203.0.113.10");
    assertThat(ns).hasNoDefaultRoute();
    assertThat(ns).cannotReach("203.0.113.10");
  }
}
