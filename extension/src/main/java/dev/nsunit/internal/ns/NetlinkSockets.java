package dev.nsunit.internal.ns;

import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.internal.netlink.SockDiag;
import java.util.function.Supplier;

/**
 * The netlink sockets opened inside one namespace: rtnetlink from the start, sock_diag on first
 * use (or from the start, for a namespace from {@link NamespacePool}) (a socket belongs to the namespace it was created in, so it is opened on the maker thread
 * after it joined the namespace).
 *
 * <p>After {@link #close()} no socket is opened any more: the namespace's descriptor is closed
 * next, and its number may soon name another namespace, or nothing.
 */
final class NetlinkSockets implements AutoCloseable {
  private final Rtnetlink rtnetlink;
  private final int namespaceFd;
  private final Supplier<IllegalStateException> closedError;
  private volatile SockDiag sockDiag;
  private boolean closed; // guarded by this

  /** @param closedError the failure of a use after close; it must not refer to the Netns (see its cleaner) */
  NetlinkSockets(Rtnetlink rtnetlink, SockDiag sockDiag, int namespaceFd, Supplier<IllegalStateException> closedError) {
    this.rtnetlink = rtnetlink;
    this.sockDiag = sockDiag;
    this.namespaceFd = namespaceFd;
    this.closedError = closedError;
  }

  Rtnetlink rtnetlink() {
    return rtnetlink;
  }

  /** Whether the sock_diag socket is open already, so that using it needs no trip to the maker. */
  boolean hasSockDiag() {
    return sockDiag != null;
  }

  SockDiag sockDiag() {
    SockDiag d = sockDiag;
    if (d == null) {
      synchronized (this) {
        if (closed) {
          throw closedError.get();
        }
        d = sockDiag;
        if (d == null) {
          d = NamespaceThreads.inNamespace(namespaceFd, SockDiag::open);
          sockDiag = d;
        }
      }
    }
    return d;
  }

  @Override
  public void close() {
    FailureCollector failures = new FailureCollector();
    SockDiag d;
    synchronized (this) { // waits for a sock_diag socket being opened, then closes it too
      closed = true;
      d = sockDiag;
      sockDiag = null;
    }
    if (d != null) {
      failures.run(d::close);
    }
    failures.run(rtnetlink::close);
    failures.throwIfAny();
  }
}
