package dev.nsunit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ServerSocketFactory;

/**
 * Server sockets whose descriptors are created inside one namespace, whichever thread asks and
 * whichever thread binds or accepts later. An unbound server socket is created, and its
 * descriptor forced into being, on a thread inside; the others are bound there too.
 */
final class NamespaceServerSocketFactory extends ServerSocketFactory {
  private final InsideNamespace inside;

  NamespaceServerSocketFactory(InsideNamespace inside) {
    this.inside = inside;
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return inside.openWithDescriptor(ServerSocket::new, ServerSocket::getReceiveBufferSize);
  }

  @Override
  public ServerSocket createServerSocket(int port) throws IOException {
    return inside.open(() -> new ServerSocket(port));
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    return inside.open(() -> new ServerSocket(port, backlog));
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress ifAddress) throws IOException {
    return inside.open(() -> new ServerSocket(port, backlog, ifAddress));
  }

  @Override
  public String toString() {
    return "server socket factory of " + inside;
  }
}
