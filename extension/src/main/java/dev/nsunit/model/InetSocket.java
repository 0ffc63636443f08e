package dev.nsunit.model;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A TCP or UDP socket as sock_diag (and {@code ss}) reports it.
 *
 * <p>Instances are read from the kernel; {@link #builder()} makes one by hand, e.g. an
 * expected value in a test. Properties are added over time as new accessors and builder
 * methods, so code that reads or builds instances keeps compiling.
 */
public final class InetSocket {

  /** The transport protocol. */
  public enum Protocol {
    /** TCP. */
    TCP,
    /** UDP. */
    UDP;

    /** {@code tcp} or {@code udp}, as ss's Netid column writes it. */
    public String netid() {
      return name().toLowerCase(Locale.ROOT);
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
    } catch (UnknownHostException e) {
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

  private final Protocol protocol;
  private final InetAddress local;
  private final int localPort;
  private final InetAddress remote;
  private final int remotePort;
  private final int state;
  private final boolean v6Only;
  private final long receiveQueue;
  private final long sendQueue;
  private final int uid;
  private final long inode;

  private InetSocket(Builder b) {
    this.protocol = Objects.requireNonNull(b.protocol, "protocol");
    this.local = Objects.requireNonNull(b.local, "local");
    this.localPort = b.localPort;
    this.remote = Objects.requireNonNull(b.remote, "remote");
    this.remotePort = b.remotePort;
    this.state = b.state;
    this.v6Only = b.v6Only;
    this.receiveQueue = b.receiveQueue;
    this.sendQueue = b.sendQueue;
    this.uid = b.uid;
    this.inode = b.inode;
  }

  /** {@link Protocol#TCP} or {@link Protocol#UDP}. */
  public Protocol protocol() {
    return protocol;
  }

  /** The local address ({@code 0.0.0.0} / {@code ::} for a wildcard bind); an AF_INET6 socket bound to an IPv4 address (Java does this for {@code 127.0.0.1}) has an IPv4-mapped {@link Inet6Address} such as {@code ::ffff:127.0.0.1}. */
  public InetAddress local() {
    return local;
  }

  /** The local port. */
  public int localPort() {
    return localPort;
  }

  /** The remote address (wildcard when unconnected). */
  public InetAddress remote() {
    return remote;
  }

  /** The remote port (0 when unconnected). */
  public int remotePort() {
    return remotePort;
  }

  /** The kernel's TCP_* state number (10 LISTEN; 7 CLOSE, which ss calls UNCONN). */
  public int state() {
    return state;
  }

  /** For IPv6 sockets, whether IPV6_V6ONLY is set (so the socket takes no IPv4). */
  public boolean v6Only() {
    return v6Only;
  }

  /** Recv-Q (for listeners: the current accept queue). */
  public long receiveQueue() {
    return receiveQueue;
  }

  /** Send-Q (for listeners: the backlog). */
  public long sendQueue() {
    return sendQueue;
  }

  /** The owner's uid. */
  public int uid() {
    return uid;
  }

  /** The socket inode, which ties it to a process's file descriptor. */
  public long inode() {
    return inode;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof InetSocket other)) {
      return false;
    }
    return Objects.equals(protocol, other.protocol)
        && Objects.equals(local, other.local)
        && localPort == other.localPort
        && Objects.equals(remote, other.remote)
        && remotePort == other.remotePort
        && state == other.state
        && v6Only == other.v6Only
        && receiveQueue == other.receiveQueue
        && sendQueue == other.sendQueue
        && uid == other.uid
        && inode == other.inode;
  }

  @Override
  public int hashCode() {
    return Objects.hash(protocol, local, localPort, remote, remotePort, state, v6Only, receiveQueue, sendQueue, uid, inode);
  }

  /** A builder with every property unset ({@code null}, 0 or the documented "none" value). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this instance's properties, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.protocol = protocol;
    b.local = local;
    b.localPort = localPort;
    b.remote = remote;
    b.remotePort = remotePort;
    b.state = state;
    b.v6Only = v6Only;
    b.receiveQueue = receiveQueue;
    b.sendQueue = sendQueue;
    b.uid = uid;
    b.inode = inode;
    return b;
  }

  /** Builds a {@link InetSocket}. Not thread-safe. */
  public static final class Builder {
    private Protocol protocol;
    private InetAddress local;
    private int localPort;
    private InetAddress remote;
    private int remotePort;
    private int state;
    private boolean v6Only;
    private long receiveQueue;
    private long sendQueue;
    private int uid;
    private long inode;

    private Builder() {}

    /** Sets {@link InetSocket#protocol()}. */
    public Builder protocol(Protocol protocol) {
      this.protocol = protocol;
      return this;
    }

    /** Sets {@link InetSocket#local()}. */
    public Builder local(InetAddress local) {
      this.local = local;
      return this;
    }

    /** Sets {@link InetSocket#localPort()}. */
    public Builder localPort(int localPort) {
      this.localPort = localPort;
      return this;
    }

    /** Sets {@link InetSocket#remote()}. */
    public Builder remote(InetAddress remote) {
      this.remote = remote;
      return this;
    }

    /** Sets {@link InetSocket#remotePort()}. */
    public Builder remotePort(int remotePort) {
      this.remotePort = remotePort;
      return this;
    }

    /** Sets {@link InetSocket#state()}. */
    public Builder state(int state) {
      this.state = state;
      return this;
    }

    /** Sets {@link InetSocket#v6Only()}. */
    public Builder v6Only(boolean v6Only) {
      this.v6Only = v6Only;
      return this;
    }

    /** Sets {@link InetSocket#receiveQueue()}. */
    public Builder receiveQueue(long receiveQueue) {
      this.receiveQueue = receiveQueue;
      return this;
    }

    /** Sets {@link InetSocket#sendQueue()}. */
    public Builder sendQueue(long sendQueue) {
      this.sendQueue = sendQueue;
      return this;
    }

    /** Sets {@link InetSocket#uid()}. */
    public Builder uid(int uid) {
      this.uid = uid;
      return this;
    }

    /** Sets {@link InetSocket#inode()}. */
    public Builder inode(long inode) {
      this.inode = inode;
      return this;
    }

    /** The InetSocket. Throws NullPointerException if local, protocol, remote is unset. */
    public InetSocket build() {
      return new InetSocket(this);
    }
  }
}
