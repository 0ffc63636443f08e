package dev.nsunit.internal.ns;

import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.internal.netlink.SockDiag;

/**
 * The netlink sockets opened inside one namespace: rtnetlink from the start, sock_diag on first
 * use (a socket belongs to the namespace it was created in, so it is opened on the maker thread
 * after it joined the namespace).
 */
final class NetlinkSockets implements AutoCloseable {
  private final Rtnetlink rtnetlink;
  private final int namespaceFd;
  private volatile SockDiag sockDiag;

  NetlinkSockets(Rtnetlink rtnetlink, int namespaceFd) {
    this.rtnetlink = rtnetlink;
    this.namespaceFd = namespaceFd;
  }

  Rtnetlink rtnetlink() {
    return rtnetlink;
  }

  SockDiag sockDiag() {
    SockDiag d = sockDiag;
    if (d == null) {
      synchronized (this) {
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
    synchronized (this) {
      d = sockDiag;
    }
    if (d != null) {
      failures.run(d::close);
    }
    failures.run(rtnetlink::close);
    failures.throwIfAny();
  }
}
