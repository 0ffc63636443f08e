package dev.nsunit.internal.netlink;

import dev.nsunit.internal.libc.Libc;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct inet_diag_sockid} (linux/inet_diag.h): which socket a sock_diag request matches
 * or a reply describes. Ports and addresses are in network byte order on the wire; the address
 * fields are 16 bytes wide, of which AF_INET uses the first 4.
 *
 * @param sport idiag_sport (u16), the local port
 * @param dport idiag_dport (u16), the remote port
 * @param src idiag_src, the local address
 * @param dst idiag_dst, the remote address
 * @param ifindex idiag_if, the bound interface (0 for none)
 * @param cookie idiag_cookie[0] (low 32 bits) and [1] (high 32 bits)
 */
public record InetDiagSockId(int sport, int dport, InetAddress src, InetAddress dst, int ifindex, long cookie)
    implements KernelStruct {
  /** {@code sizeof(struct inet_diag_sockid)}. */
  public static final int SIZE = 48;
  private static final int ADDRESS_WIDTH = 16;

  /** Checks that the ports fit and the addresses are present. */
  public InetDiagSockId {
    Structs.u16("idiag_sport", sport);
    Structs.u16("idiag_dport", dport);
    Objects.requireNonNull(src, "idiag_src");
    Objects.requireNonNull(dst, "idiag_dst");
  }

  /** All zeros, which in a dump request matches every socket of {@code family}. */
  public static InetDiagSockId any(int family) {
    InetAddress zero = RouteCodec.any(family == Libc.AF_INET6);
    return new InetDiagSockId(0, 0, zero, zero, 0, 0);
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move). The addresses are read as
   * IPv6 when {@code family} is AF_INET6 (a v4-mapped address stays IPv6, as {@code ss} shows
   * it) and as IPv4 otherwise.
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static InetDiagSockId read(ByteBuffer b, int family) {
    return read(Structs.fixedPart(b, SIZE, "inet_diag_sockid"), b.position(), family);
  }

  /** Reads the struct at index {@code at} of {@code n}, which is in native order and long enough. */
  static InetDiagSockId read(ByteBuffer n, int at, int family) {
    boolean v6 = family == Libc.AF_INET6;
    long cookie = Integer.toUnsignedLong(n.getInt(at + 40)) | ((long) n.getInt(at + 44) << 32);
    return new InetDiagSockId(be16(n, at), be16(n, at + 2), address(n, at + 4, v6), address(n, at + 20, v6),
        n.getInt(at + 36), cookie);
  }

  private static int be16(ByteBuffer n, int at) {
    return ((n.get(at) & 0xff) << 8) | (n.get(at + 1) & 0xff);
  }

  private static InetAddress address(ByteBuffer n, int at, boolean v6) {
    byte[] raw = new byte[v6 ? 16 : 4];
    n.get(at, raw);
    try {
      // Inet6Address.getByAddress keeps ::ffff:a.b.c.d an IPv6 address (InetAddress.getByAddress
      // would turn it into IPv4): it is an AF_INET6 socket, and ss prints it as such.
      return v6 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // unreachable: the length is 4 or 16
    }
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.be16(sport).be16(dport).padded(src.getAddress(), ADDRESS_WIDTH).padded(dst.getAddress(), ADDRESS_WIDTH)
        .u32(ifindex).u32((int) cookie).u32((int) (cookie >>> 32));
  }
}
