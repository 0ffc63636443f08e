package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_SOCK_DIAG;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOL_NETLINK;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Set;

/**
 * The sock_diag destroy multicast groups of one network namespace: the kernel sends one
 * SOCK_DIAG_BY_FAMILY message for every TCP or UDP socket of the namespace that is destroyed
 * while a listener is subscribed. Equivalent to: {@code ss -E -tun}.
 *
 * <p>What an event carries: family, protocol (INET_DIAG_PROTOCOL), state, addresses, ports,
 * interface and cookie. Its uid and inode are always 0 (the kernel fills them in dumps only, and
 * a destroyed socket has no inode any more), so an event alone cannot say which process held the
 * socket.
 *
 * <p>The kernel sends the events from a per-CPU workqueue, shortly after the socket's last
 * reference is dropped, and only while some socket is subscribed (subscribing makes every socket
 * destruction in the namespace go through that workqueue). Joining the groups needs
 * CAP_NET_ADMIN over the namespace. The receive buffer is made large (4 MiB where allowed); if it
 * still overflows, the kernel drops events and says so with ENOBUFS, which {@link #poll} reports.
 *
 * <p>Not thread-safe: one thread owns it.
 */
public final class SockDiagEvents implements AutoCloseable {
  /** linux/sock_diag.h {@code enum sknetlink_groups}. */
  public static final int SKNLGRP_INET_TCP_DESTROY = 1;
  /** UDP sockets over IPv4. */
  public static final int SKNLGRP_INET_UDP_DESTROY = 2;
  /** TCP sockets over IPv6 (Java's usual, dual-stack sockets). */
  public static final int SKNLGRP_INET6_TCP_DESTROY = 3;
  /** UDP sockets over IPv6. */
  public static final int SKNLGRP_INET6_UDP_DESTROY = 4;
  private static final int[] GROUPS = {
    SKNLGRP_INET_TCP_DESTROY, SKNLGRP_INET_UDP_DESTROY, SKNLGRP_INET6_TCP_DESTROY, SKNLGRP_INET6_UDP_DESTROY
  };
  /** linux/netlink.h socket options. */
  static final int NETLINK_ADD_MEMBERSHIP = 1;
  static final int NETLINK_DROP_MEMBERSHIP = 2;
  /** linux/inet_diag.h: the socket's IPPROTO_*, an attribute of every destroy event. */
  static final int INET_DIAG_PROTOCOL = 10;
  private static final int RECEIVE_BUFFER = 4 * 1024 * 1024;
  /** How long one blocking receive waits before {@link #await} looks at its deadline again. */
  private static final long RECEIVE_SLICE_MILLIS = 100;

  private final ByteBuffer buffer =
      ByteBuffer.allocateDirect(NetlinkSocket.BUFFER_SIZE).order(ByteOrder.nativeOrder());
  private int fd;
  private boolean subscribed;
  private boolean lost;

  private SockDiagEvents(int fd) {
    this.fd = fd;
  }

  /**
   * Opens a sock_diag socket in the calling thread's network namespace, not yet subscribed to
   * anything.
   */
  public static SockDiagEvents open() {
    int fd = Libc.socket(Libc.AF_NETLINK, Libc.SOCK_RAW, NETLINK_SOCK_DIAG);
    try {
      ByteBuffer address = ByteBuffer.allocateDirect(12).order(ByteOrder.nativeOrder());
      address.putShort(0, (short) Libc.AF_NETLINK); // nl_pid 0: the kernel assigns one; nl_groups 0
      Libc.bind(fd, address, 12);
      Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, RECEIVE_BUFFER); // capped at net.core.rmem_max
      try {
        Libc.setsockopt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUFFORCE, RECEIVE_BUFFER);
      } catch (NativeCallException e) {
        // EPERM without CAP_NET_ADMIN: keep what SO_RCVBUF gave
      }
      Libc.setTimeout(fd, Libc.SO_RCVTIMEO, RECEIVE_SLICE_MILLIS);
      return new SockDiagEvents(fd);
    } catch (RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }

  /**
   * Joins the four destroy groups (TCP and UDP, IPv4 and IPv6); does nothing if already joined.
   *
   * @throws NativeCallException EPERM without CAP_NET_ADMIN over the namespace; no group is then joined
   */
  public void subscribe() {
    requireOpen();
    if (subscribed) {
      return;
    }
    int joined = 0;
    try {
      for (int group : GROUPS) {
        Libc.setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group);
        joined++;
      }
    } catch (RuntimeException e) {
      for (int i = 0; i < joined; i++) {
        Libc.setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, GROUPS[i]);
      }
      throw e;
    }
    subscribed = true;
  }

  /**
   * Leaves the groups, so that the kernel stops queueing events for this socket (and, if no one
   * else listens, stops sending them at all). Events already queued stay until read.
   */
  public void unsubscribe() {
    requireOpen();
    if (!subscribed) {
      return;
    }
    subscribed = false;
    for (int group : GROUPS) {
      Libc.setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group);
    }
  }

  /** Whether {@link #subscribe()} is in effect. */
  public boolean isSubscribed() {
    return subscribed;
  }

  /**
   * Reads every event queued now, without waiting, into {@code out}.
   *
   * @return whether the kernel dropped events (ENOBUFS, or a truncated datagram) since the last
   *     call that returned true
   */
  public boolean poll(List<SockDiagEntry> out) {
    requireOpen();
    while (receive(Libc.MSG_DONTWAIT, out)) {
      // keep reading
    }
    return takeLost();
  }

  /**
   * Reads events into {@code out} until one with each of {@code cookies} has arrived, or
   * {@code timeoutMillis} have passed. Every event read is added to {@code out}, including those
   * with the awaited cookies.
   *
   * @return whether all of {@code cookies} arrived
   */
  public boolean await(Set<Long> cookies, long timeoutMillis, List<SockDiagEntry> out) {
    requireOpen();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    int missing = cookies.size();
    int checked = out.size();
    while (true) {
      for (; checked < out.size(); checked++) {
        if (cookies.contains(out.get(checked).cookie())) {
          missing--;
        }
      }
      if (missing <= 0) {
        return true;
      }
      if (System.nanoTime() - deadline > 0) {
        return false;
      }
      receive(0, out); // blocks for at most RECEIVE_SLICE_MILLIS
    }
  }

  /** Whether events were lost since the last call that returned true; resets the flag. */
  public boolean takeLost() {
    boolean l = lost;
    lost = false;
    return l;
  }

  /** Receives one datagram and decodes its TCP and UDP events; false if none was queued. */
  private boolean receive(int flags, List<SockDiagEntry> out) {
    long n;
    try {
      n = Libc.receive(fd, buffer, flags | Libc.MSG_TRUNC);
    } catch (NativeCallException e) {
      if (e.errno() != Libc.ENOBUFS) {
        throw e;
      }
      lost = true; // reported once, then reading goes on with what is still queued
      return true;
    }
    if (n < 0) {
      return false;
    }
    if (n > buffer.capacity()) {
      lost = true;
      return true;
    }
    for (Message m : Message.parseAll(buffer, (int) n)) {
      if (m.type() != SOCK_DIAG_BY_FAMILY) {
        continue;
      }
      m.requirePayload(InetDiagMsg.SIZE);
      int protocol = m.attributes(InetDiagMsg.SIZE).u8(INET_DIAG_PROTOCOL, -1);
      if (protocol == IPPROTO_TCP || protocol == IPPROTO_UDP) {
        out.add(SockDiagEntry.decode(m, protocol));
      }
    }
    return true;
  }

  /** The socket's descriptor, e.g. for a leak check that counts descriptors. */
  public int fd() {
    return fd;
  }

  private void requireOpen() {
    if (fd < 0) {
      throw new IllegalStateException("sock_diag event socket is closed");
    }
  }

  /** Closes the socket, which also leaves the groups; idempotent. */
  @Override
  public void close() {
    if (fd >= 0) {
      int f = fd;
      fd = -1;
      subscribed = false;
      Libc.close(f);
    }
  }
}
