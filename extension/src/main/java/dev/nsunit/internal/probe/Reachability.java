package dev.nsunit.internal.probe;

import static dev.nsunit.internal.libc.Libc.AF_INET;
import static dev.nsunit.internal.libc.Libc.AF_INET6;
import static dev.nsunit.internal.libc.Libc.IPPROTO_ICMP;
import static dev.nsunit.internal.libc.Libc.IPPROTO_ICMPV6;
import static dev.nsunit.internal.libc.Libc.IPPROTO_UDP;
import static dev.nsunit.internal.libc.Libc.IPV6_RECVERR;
import static dev.nsunit.internal.libc.Libc.IP_RECVERR;
import static dev.nsunit.internal.libc.Libc.SOCK_DGRAM;
import static dev.nsunit.internal.libc.Libc.SOCK_RAW;
import static dev.nsunit.internal.libc.Libc.SOL_IP;
import static dev.nsunit.internal.libc.Libc.SOL_IPV6;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.ProbeResult;
import dev.nsunit.model.ProbeResult.Reason;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reachability probes in the calling thread's network namespace. Each returns a
 * {@link ProbeResult}; a target that does not answer is a result, never an exception.
 *
 * <p>Errors from the kernel are read as errno, which is why the ICMP and UDP probes use their own
 * sockets with IP_RECVERR: without it the kernel keeps "soft" ICMP errors (net and host
 * unreachable) from the socket and a probe could only time out.
 *
 * <p>Call these on a thread inside the namespace to probe from, e.g. {@code ns.call(() ->
 * Reachability.icmpEcho(target, timeout))}.
 */
public final class Reachability {
  private static final int ICMP_ECHO = 8;
  private static final int ICMP_ECHOREPLY = 0;
  private static final int ICMPV6_ECHO_REQUEST = 128;
  private static final int ICMPV6_ECHO_REPLY = 129;
  private static final byte[] PAYLOAD = "nsunit-echo-0123".getBytes(StandardCharsets.US_ASCII);

  private Reachability() {}

  /**
   * Sends one ICMP echo request to {@code target} and waits up to {@code timeout} for the reply.
   * Equivalent to: {@code ping -c 1 -W <timeout> <target>}, without {@code InetAddress.isReachable}
   * (which silently falls back to TCP port 7 when it may not open raw sockets).
   *
   * <p>Uses a raw ICMP socket (root, or CAP_NET_RAW in the namespace's user namespace); where that
   * is not permitted, an unprivileged ICMP "ping" socket, which the namespace's {@code
   * net.ipv4.ping_group_range} must allow.
   *
   * @throws NativeCallException if neither kind of ICMP socket may be opened
   */
  public static ProbeResult icmpEcho(InetAddress target, Duration timeout) {
    return icmpEcho(openIcmp(target instanceof Inet6Address), target, timeout);
  }

  /** An ICMP socket: raw, or an unprivileged "ping" socket (then the kernel owns id and checksum). */
  public record IcmpSocket(int fd, boolean raw, boolean v6) {}

  /**
   * Opens an ICMP socket (ICMPv6 if {@code v6}) in the calling thread's namespace: raw where
   * permitted, else a "ping" socket. A socket stays in the namespace it was made in, so another
   * thread may then use it with {@link #icmpEcho(IcmpSocket, InetAddress, Duration)}.
   *
   * @throws NativeCallException if neither kind may be opened
   */
  public static IcmpSocket openIcmp(boolean v6) {
    int family = v6 ? AF_INET6 : AF_INET;
    int protocol = v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
    try {
      return new IcmpSocket(Libc.socket(family, SOCK_RAW, protocol), true, v6);
    } catch (NativeCallException e) {
      if (!e.errnoName().equals("EPERM") && !e.errnoName().equals("EACCES")) {
        throw e;
      }
      return new IcmpSocket(Libc.socket(family, SOCK_DGRAM, protocol), false, v6);
    }
  }

  /** Like {@link #icmpEcho(InetAddress, Duration)} through {@code socket}, which it closes. */
  public static ProbeResult icmpEcho(IcmpSocket socket, InetAddress target, Duration timeout) {
    String probe = "ICMP echo to " + InetAddresses.format(target);
    boolean v6 = socket.v6();
    boolean raw = socket.raw();
    int fd = socket.fd();
    try {
      Libc.setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1);
      ByteBuffer to = Libc.sockaddr(target, 0);
      Libc.connect(fd, to, to.limit());
      int id = ThreadLocalRandom.current().nextInt(1, 0x10000);
      int seq = ThreadLocalRandom.current().nextInt(1, 0x10000);
      ByteBuffer request = echoRequest(v6, id, seq);
      Libc.send(fd, request, request.limit());
      ByteBuffer in = ByteBuffer.allocateDirect(65536);
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
          return ProbeResult.failed(probe, Reason.TIMED_OUT, "no echo reply within " + timeout.toMillis() + " ms");
        }
        long n = Libc.receiveWithin(fd, in, left);
        if (n >= 0 && isEchoReply(in, (int) Math.min(n, in.capacity()), v6, raw, id, seq)) {
          return ProbeResult.reached(probe);
        }
      }
    } catch (NativeCallException e) {
      return ProbeResult.failed(probe, Reason.fromErrnoName(e.errnoName()), detail(e));
    } finally {
      Libc.close(fd);
    }
  }

  private static ByteBuffer echoRequest(boolean v6, int id, int seq) {
    ByteBuffer b = ByteBuffer.allocateDirect(8 + PAYLOAD.length); // big-endian, as on the wire
    b.put(0, (byte) (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO)).put(1, (byte) 0)
        .putShort(4, (short) id).putShort(6, (short) seq).put(8, PAYLOAD);
    if (!v6) { // the kernel fills in the ICMPv6 checksum (it covers the pseudo-header); ICMPv4's is ours
      b.putShort(2, (short) checksum(b, b.capacity()));
    }
    return b;
  }

  private static boolean isEchoReply(ByteBuffer in, int n, boolean v6, boolean raw, int id, int seq) {
    int offset = !v6 && raw ? (in.get(0) & 0x0f) * 4 : 0; // raw IPv4 sockets receive the IP header too
    if (n < offset + 8) {
      return false;
    }
    int type = in.get(offset) & 0xff;
    if (type != (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY)) {
      return false; // e.g. our own request, seen when pinging an address of this namespace
    }
    boolean idMatches = !raw || (in.getShort(offset + 4) & 0xffff) == id; // ping sockets rewrite the id
    return idMatches && (in.getShort(offset + 6) & 0xffff) == seq;
  }

  /** The Internet checksum (RFC 1071) of the first {@code length} bytes. */
  static int checksum(ByteBuffer b, int length) {
    long sum = 0;
    for (int i = 0; i + 1 < length; i += 2) {
      sum += b.getShort(i) & 0xffff;
    }
    if ((length & 1) != 0) {
      sum += (b.get(length - 1) & 0xff) << 8;
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /**
   * Opens a TCP connection to {@code target:port} and closes it. Equivalent to: {@code nc -z -w
   * <timeout> <target> <port>}.
   */
  public static ProbeResult tcpConnect(InetAddress target, int port, Duration timeout) {
    String probe = "TCP connect to " + endpoint(target, port);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(target, port), (int) Math.max(1, timeout.toMillis()));
      return ProbeResult.reached(probe);
    } catch (SocketTimeoutException e) {
      return ProbeResult.failed(probe, Reason.TIMED_OUT, e.toString());
    } catch (IOException e) {
      return ProbeResult.failed(probe, Reason.fromMessage(e.getMessage()), e.toString());
    }
  }

  /**
   * Sends {@code request} as one UDP datagram to {@code target:port} and waits up to {@code timeout}
   * for any datagram back. Equivalent to: {@code echo request | nc -u -w <timeout> <target> <port>}.
   * An ICMP port unreachable answer gives {@link Reason#CONNECTION_REFUSED}.
   */
  public static ProbeResult udpExchange(InetAddress target, int port, byte[] request, Duration timeout) {
    String probe = "UDP request/response with " + endpoint(target, port);
    boolean v6 = target instanceof Inet6Address;
    int fd = Libc.socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    try {
      Libc.setsockopt(fd, v6 ? SOL_IPV6 : SOL_IP, v6 ? IPV6_RECVERR : IP_RECVERR, 1);
      ByteBuffer to = Libc.sockaddr(target, port);
      Libc.connect(fd, to, to.limit());
      ByteBuffer out = ByteBuffer.allocateDirect(Math.max(1, request.length));
      out.put(0, request);
      Libc.send(fd, out, request.length);
      long left = timeout.toMillis();
      long n = Libc.receiveWithin(fd, ByteBuffer.allocateDirect(65536), left);
      if (n < 0) {
        return ProbeResult.failed(probe, Reason.TIMED_OUT, "no response within " + timeout.toMillis() + " ms");
      }
      return ProbeResult.reached(probe);
    } catch (NativeCallException e) {
      return ProbeResult.failed(probe, Reason.fromErrnoName(e.errnoName()), detail(e));
    } finally {
      Libc.close(fd);
    }
  }

  /** The error without the fd number, so the same failure always reads the same. */
  private static String detail(NativeCallException e) {
    return e.syscall() + ": " + e.errnoName() + " (" + NativeCallException.describe(e.errno()) + ")";
  }

  private static String endpoint(InetAddress address, int port) {
    String host = InetAddresses.format(address);
    return (address instanceof Inet6Address ? "[" + host + "]" : host) + ":" + port;
  }
}
