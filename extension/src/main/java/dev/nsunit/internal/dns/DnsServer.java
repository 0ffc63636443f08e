package dev.nsunit.internal.dns;

import dev.nsunit.internal.ns.Futures;
import dev.nsunit.internal.ns.Netns;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Answers DNS questions on sockets bound to 127.0.0.11:53 inside endpoints' namespaces, like
 * Docker's embedded server. A socket belongs to the namespace of the thread that made it, so the
 * caller binds it there; this class only reads and answers, on one daemon thread
 * ({@code nsunit-dns-N}) in the JVM's startup namespace that serves every endpoint and ends after
 * {@value #IDLE_MILLIS} ms with nothing to serve.
 *
 * <p>UDP only: answers are a few addresses, far below 512 bytes, so no resolver falls back to TCP.
 */
public final class DnsServer {
  /** Where stub resolvers find the server, as in a Docker container's resolv.conf. */
  public static final InetSocketAddress ADDRESS = new InetSocketAddress(loopback11(), 53);

  static final long IDLE_MILLIS = 1_000;
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final Object LOCK = new Object();
  private static final ArrayDeque<Task> PENDING = new ArrayDeque<>(); // guarded by LOCK
  private static int served; // guarded by LOCK
  private static Selector selector; // guarded by LOCK
  private static Thread thread; // guarded by LOCK

  private DnsServer() {}

  private static InetAddress loopback11() {
    try {
      return InetAddress.getByAddress(new byte[] {127, 0, 0, 11});
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Answers the questions that arrive on {@code channel} from {@code answers} until the returned
   * handle is closed; closing it closes the channel, and returns once its descriptor is gone.
   */
  public static Served serve(DatagramChannel channel, DnsMessage.Answers answers) {
    Served s = new Served(channel, answers);
    synchronized (LOCK) {
      if (thread == null) {
        try {
          selector = Selector.open();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot open the DNS server's selector", e);
        }
        Selector sel = selector;
        thread = new Thread(() -> loop(sel), "nsunit-dns-" + COUNTER.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
      }
      served++;
      PENDING.add(new Task(s, false));
      selector.wakeup();
    }
    return s;
  }

  /** Work for the server thread: start or stop serving a socket. */
  private record Task(Served served, boolean close) {}

  /** One socket being served. */
  public static final class Served implements AutoCloseable {
    private final DatagramChannel channel;
    private final DnsMessage.Answers answers;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private boolean closing; // guarded by LOCK

    private Served(DatagramChannel channel, DnsMessage.Answers answers) {
      this.channel = channel;
      this.answers = answers;
    }

    private void register(Selector sel) {
      try {
        channel.configureBlocking(false);
        channel.register(sel, SelectionKey.OP_READ, this);
      } catch (IOException | RuntimeException e) {
        closeNow();
      }
    }

    /** On the server thread: cancels the key and flushes it, so that closing releases the descriptor now. */
    private void unregister(Selector sel) {
      SelectionKey key = channel.keyFor(sel);
      if (key != null) {
        key.cancel();
        try {
          sel.selectNow();
        } catch (IOException e) {
          // the close below still marks the channel closed
        }
      }
      closeNow();
    }

    private void closeNow() {
      try {
        channel.close();
      } catch (IOException e) {
        // the descriptor is released anyway
      }
      closed.complete(null);
    }

    private void answer() {
      ByteBuffer in = ByteBuffer.allocate(1500);
      try {
        SocketAddress from;
        while ((from = channel.receive(in.clear())) != null) {
          Optional<ByteBuffer> out = DnsMessage.respond(in.flip(), answers);
          if (out.isPresent()) {
            channel.send(out.get(), from);
          }
        }
      } catch (IOException e) {
        // a send refused (the asker is gone): nothing to answer
      }
    }

    /**
     * Stops serving and closes the socket; returns once the descriptor is closed, so that the
     * socket no longer holds the endpoint's namespace. Idempotent.
     */
    @Override
    public void close() {
      synchronized (LOCK) {
        if (!closing) {
          closing = true;
          if (thread == null) {
            closeNow(); // the server ended, its selector with it: nothing holds the descriptor
          } else {
            PENDING.add(new Task(this, true));
            selector.wakeup();
          }
        }
      }
      try {
        Futures.getUninterruptibly(closed);
      } catch (ExecutionException e) {
        throw new IllegalStateException("closing the DNS server's socket failed", e.getCause()); // never completed so
      }
    }
  }

  private static void loop(Selector sel) {
    Netns.enterStartupNamespace();
    long idleSince = System.nanoTime();
    try {
      while (true) {
        long wait;
        synchronized (LOCK) {
          Task t;
          boolean changed = false;
          while ((t = PENDING.poll()) != null) {
            changed = true;
            if (t.close()) {
              served--;
              t.served().unregister(sel);
            } else {
              t.served().register(sel);
            }
          }
          long now = System.nanoTime();
          if (changed) {
            idleSince = now; // idle from the last change on
          }
          if (served > 0) {
            wait = 0; // until a question or a wakeup
          } else {
            long left = IDLE_MILLIS - (now - idleSince) / 1_000_000;
            if (left <= 0) {
              thread = null;
              selector = null;
              sel.close();
              return;
            }
            wait = left;
          }
        }
        sel.select(wait);
        Iterator<SelectionKey> keys = sel.selectedKeys().iterator();
        while (keys.hasNext()) {
          SelectionKey k = keys.next();
          keys.remove();
          if (k.isValid() && k.isReadable()) {
            ((Served) k.attachment()).answer();
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      failed(sel);
    }
  }

  /** The server cannot go on: every socket it served or was about to serve is closed. */
  private static void failed(Selector sel) {
    synchronized (LOCK) {
      thread = null;
      selector = null;
      served = 0;
      List<Served> registered = new ArrayList<>();
      for (SelectionKey k : sel.keys()) {
        registered.add((Served) k.attachment());
      }
      Task t;
      while ((t = PENDING.poll()) != null) {
        t.served().closing = true;
        t.served().closeNow();
      }
      try {
        sel.close();
      } catch (IOException e) {
        // nothing more to release
      }
      for (Served s : registered) {
        s.closing = true;
        s.closeNow();
      }
    }
  }
}
