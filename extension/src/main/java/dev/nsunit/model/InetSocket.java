package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * A TCP or UDP socket as sock_diag (and {@code ss}) reports it.
 *
 * @param protocol {@link Protocol#TCP} or {@link Protocol#UDP}
 * @param local the local address ({@code 0.0.0.0} / {@code ::} for a wildcard bind); an AF_INET6
 *     socket bound to an IPv4 address (Java does this for {@code 127.0.0.1}) has an IPv4-mapped
 *     {@link Inet6Address} such as {@code ::ffff:127.0.0.1}
 * @param localPort the local port
 * @param remote the remote address (wildcard when unconnected)
 * @param remotePort the remote port (0 when unconnected)
 * @param state the kernel's TCP_* state number (10 LISTEN; 7 CLOSE, which ss calls UNCONN)
 * @param v6Only for IPv6 sockets, whether IPV6_V6ONLY is set (so the socket takes no IPv4)
 * @param receiveQueue Recv-Q (for listeners: the current accept queue)
 * @param sendQueue Send-Q (for listeners: the backlog)
 * @param uid the owner's uid
 * @param inode the socket inode, which ties it to a process's file descriptor
 */
public record InetSocket(Protocol protocol, InetAddress local, int localPort, InetAddress remote,
    int remotePort, int state, boolean v6Only, long receiveQueue, long sendQueue, int uid, long inode) {

  /** The transport protocol. */
  public enum Protocol {
    /** TCP. */
    TCP,
    /** UDP. */
    UDP;

    /** {@code tcp} or {@code udp}, as ss's Netid column writes it. */
    public String netid() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private static final String[] STATES = {
    "UNKNOWN", "ESTAB", "SYN-SENT", "SYN-RECV", "FIN-WAIT-1", "FIN-WAIT-2", "TIME-WAIT", "UNCONN",
    "CLOSE-WAIT", "LAST-ACK", "LISTEN", "CLOSING"
  };

  /** Whether this is a TCP listener. */
  public boolean isListening() {
    return protocol == Protocol.TCP && state == 10;
  }

  /**
   * The local address with an IPv4-mapped IPv6 address ({@code ::ffff:127.0.0.1}, which a Java
   * dual-stack socket bound to 127.0.0.1 has) turned into its IPv4 address; otherwise
   * {@link #local()} itself.
   */
  public InetAddress localUnmapped() {
    byte[] a = local.getAddress();
    if (a.length != 16) {
      return local;
    }
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return local;
      }
    }
    if ((a[10] & 0xff) != 0xff || (a[11] & 0xff) != 0xff) {
      return local;
    }
    try {
      return InetAddress.getByAddress(new byte[] {a[12], a[13], a[14], a[15]});
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** Whether the socket is bound to the wildcard address of its family. */
  public boolean isWildcard() {
    return local.isAnyLocalAddress();
  }

  /** Whether this is an IPv6 socket. */
  public boolean isIpv6() {
    return local instanceof Inet6Address;
  }

  /** An IPv6 wildcard socket without IPV6_V6ONLY, which also accepts IPv4 (Java's default). */
  public boolean isDualStack() {
    return isIpv6() && isWildcard() && !v6Only;
  }

  /** The state as ss names it: LISTEN, UNCONN, ESTAB... */
  public String stateName() {
    return state >= 0 && state < STATES.length ? STATES[state] : Integer.toString(state);
  }

  /**
   * The local end as ss prints it: {@code 0.0.0.0:6379}, {@code [::]:6379} (v6-only),
   * {@code *:6379} (dual-stack), {@code [::ffff:127.0.0.1]:6379} (IPv4 on an IPv6 socket).
   */
  public String localText() {
    return endpoint(local, localPort);
  }

  /** The remote end as ss prints it, e.g. {@code 0.0.0.0:*}, {@code [::]:*}, {@code *:*}. */
  public String remoteText() {
    return endpoint(remote, remotePort);
  }

  /** Like ss's inet_addr_print: an IPv6 wildcard prints as {@code *} unless the socket is v6-only. */
  private String endpoint(InetAddress address, int port) {
    boolean star = address instanceof Inet6Address && address.isAnyLocalAddress() && !v6Only;
    String host = star ? "*" : address instanceof Inet6Address
        ? "[" + InetAddresses.format(address) + "]" : InetAddresses.format(address);
    return host + ":" + (port == 0 ? "*" : Integer.toString(port));
  }

  /** Like a line of {@code ss -Hltnu}: {@code tcp LISTEN 0 50 0.0.0.0:6379 0.0.0.0:*}. */
  @Override
  public String toString() {
    return String.format("%-5s %-7s %-6d %-6d %s %s", protocol.netid(), stateName(), receiveQueue,
        sendQueue, localText(), remoteText());
  }
}
