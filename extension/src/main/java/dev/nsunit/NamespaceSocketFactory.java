package dev.nsunit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.SocketFactory;

/**
 * Client sockets whose descriptors are created inside one namespace, whichever thread asks. A
 * plain {@code new Socket()} creates its descriptor lazily, at its first option, bind or
 * connect, on whichever thread that is: so an unconnected socket is created, and its descriptor
 * forced into being, on a thread inside. Sockets that connect at once are made wholly inside, so
 * that a name is resolved there too.
 */
final class NamespaceSocketFactory extends SocketFactory {
  private final InsideNamespace inside;

  NamespaceSocketFactory(InsideNamespace inside) {
    this.inside = inside;
  }

  @Override
  public Socket createSocket() throws IOException {
    return inside.openWithDescriptor(Socket::new, Socket::getReceiveBufferSize);
  }

  @Override
  public Socket createSocket(String host, int port) throws IOException {
    return inside.open(() -> new Socket(host, port));
  }

  @Override
  public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
    return inside.open(() -> new Socket(host, port, localHost, localPort));
  }

  @Override
  public Socket createSocket(InetAddress host, int port) throws IOException {
    return inside.open(() -> new Socket(host, port));
  }

  @Override
  public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
      throws IOException {
    return inside.open(() -> new Socket(address, port, localAddress, localPort));
  }

  @Override
  public String toString() {
    return "socket factory of " + inside;
  }
}
