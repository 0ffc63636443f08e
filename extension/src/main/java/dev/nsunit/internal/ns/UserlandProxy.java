package dev.nsunit.internal.ns;

import java.io.Closeable;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A published port, like Docker's {@code docker-proxy}: a TCP listener on the JVM's own
 * namespace (its loopback) that relays each connection it accepts to a connection that
 * {@link Connector} opens elsewhere (from the lab host to an endpoint, so the endpoint's server
 * sees the gateway's address, as behind docker-proxy). When the other side cannot be reached,
 * the accepted connection is closed at once, as docker-proxy does.
 *
 * <p>Threads: one acceptor ({@code nsunit-publish-PORT}) and two relays per connection, all in
 * the JVM's startup namespace, whatever namespace the caller's thread is in. {@link #close()}
 * closes the listener and every connection, and returns once all of them have ended.
 */
public final class UserlandProxy implements AutoCloseable {
  /** Opens the connection to the other side, for one accepted connection. */
  @FunctionalInterface
  public interface Connector {
    SocketChannel connect() throws IOException;
  }

  private static final int BUFFER = 16 * 1024;
  private static final AtomicInteger CONNECTIONS = new AtomicInteger();

  private final ServerSocketChannel listener;
  private final InetSocketAddress address;
  private final Thread acceptor;
  private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
  private final Set<Thread> relays = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private UserlandProxy(ServerSocketChannel listener, Thread acceptor) throws IOException {
    this.listener = listener;
    this.address = (InetSocketAddress) listener.getLocalAddress();
    this.acceptor = acceptor;
  }

  /**
   * Listens on {@code listen} in the JVM's startup namespace (port 0: a free one) and relays to
   * what {@code connector} opens.
   *
   * @throws IOException if the address cannot be bound, e.g. the port is taken
   */
  public static UserlandProxy start(InetSocketAddress listen, Connector connector) throws IOException {
    CompletableFuture<UserlandProxy> started = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      Netns.enterStartupNamespace();
      UserlandProxy proxy;
      try {
        // an IPv4 listener for an IPv4 address, as ss shows docker-proxy's: not [::ffff:127.0.0.1]
        ServerSocketChannel server = ServerSocketChannel.open(listen.getAddress() instanceof Inet4Address
            ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
        try {
          server.bind(listen);
          proxy = new UserlandProxy(server, Thread.currentThread());
        } catch (IOException | RuntimeException e) {
          server.close();
          throw e;
        }
      } catch (Throwable e) {
        started.completeExceptionally(e);
        return;
      }
      started.complete(proxy);
      proxy.acceptLoop(connector);
    }, "nsunit-publish-" + listen.getPort());
    t.setDaemon(true);
    t.start();
    try {
      return Futures.getUninterruptibly(started);
    } catch (ExecutionException e) {
      Rethrow.ifUncheckedOr(e.getCause(), IOException.class);
      throw new IOException("cannot publish " + listen, e.getCause());
    }
  }

  /** The address it listens on, with the actual port. */
  public InetSocketAddress address() {
    return address;
  }

  private void acceptLoop(Connector connector) {
    while (!closed) {
      SocketChannel client;
      try {
        client = listener.accept();
      } catch (IOException e) {
        return; // closed
      }
      open.add(client);
      SocketChannel upstream;
      try {
        upstream = connector.connect();
      } catch (IOException | RuntimeException e) {
        closeQuietly(client); // nothing to relay to: the client sees the connection end, as with docker-proxy
        open.remove(client);
        continue;
      }
      open.add(upstream);
      if (closed) {
        closeQuietly(client);
        closeQuietly(upstream);
        return;
      }
      int n = CONNECTIONS.incrementAndGet();
      AtomicInteger directions = new AtomicInteger(2);
      relay(client, upstream, directions, "nsunit-publish-" + address.getPort() + "-" + n + "-in");
      relay(upstream, client, directions, "nsunit-publish-" + address.getPort() + "-" + n + "-out");
    }
  }

  /**
   * Copies {@code from} to {@code to}, and at the end of {@code from} half-closes {@code to}, as
   * a TCP relay must; the direction that ends last closes both. An error ends both at once.
   */
  private void relay(SocketChannel from, SocketChannel to, AtomicInteger directions, String name) {
    Thread t = new Thread(() -> {
      ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
      boolean clean = false;
      try {
        while (from.read(buffer.clear()) >= 0) {
          buffer.flip();
          while (buffer.hasRemaining()) {
            to.write(buffer);
          }
        }
        to.shutdownOutput();
        clean = true;
      } catch (IOException e) {
        // a reset, or the proxy closing: the connection ends
      } finally {
        if (!clean || directions.decrementAndGet() == 0) {
          closeQuietly(from);
          closeQuietly(to);
          open.remove(from);
          open.remove(to);
        }
        relays.remove(Thread.currentThread());
      }
    }, name);
    t.setDaemon(true);
    relays.add(t);
    t.start();
  }

  /** Closes the listener and every connection; returns once every thread of the proxy has ended. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(listener);
    for (SocketChannel c : open) {
      closeQuietly(c);
    }
    Futures.joinUninterruptibly(acceptor); // after this no connection or relay is added
    for (SocketChannel c : open) {
      closeQuietly(c);
    }
    for (Thread t : relays) {
      Futures.joinUninterruptibly(t);
    }
    open.clear();
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // released anyway
    }
  }

  @Override
  public String toString() {
    return "published " + address;
  }
}
