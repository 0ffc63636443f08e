package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct inet_diag_req_v2} (linux/inet_diag.h), the fixed part of a SOCK_DIAG_BY_FAMILY
 * request for TCP, UDP and other inet sockets.
 *
 * <pre>{@code
 * m.begin(SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST | NLM_F_DUMP, "ss -Hltn -4")
 *     .struct(InetDiagReqV2.dump(AF_INET, IPPROTO_TCP, 1 << TCP_LISTEN)).end();
 * }</pre>
 *
 * @param family sdiag_family (u8), AF_INET or AF_INET6
 * @param protocol sdiag_protocol (u8), IPPROTO_*
 * @param ext idiag_ext (u8): which INET_DIAG_* extensions the reply should carry, as bits {@code 1 << (ext - 1)}
 * @param states idiag_states: the TCP_* states to match, as bits {@code 1 << state}
 * @param id which sockets to match; all zeros matches every one
 */
public record InetDiagReqV2(int family, int protocol, int ext, int states, InetDiagSockId id)
    implements KernelStruct {
  /** {@code sizeof(struct inet_diag_req_v2)}. */
  public static final int SIZE = 8 + InetDiagSockId.SIZE;

  /** Checks that the u8 fields fit and the socket id is present. */
  public InetDiagReqV2 {
    Structs.u8("sdiag_family", family);
    Structs.u8("sdiag_protocol", protocol);
    Structs.u8("idiag_ext", ext);
    Objects.requireNonNull(id, "id");
  }

  /** Every {@code protocol} socket of {@code family} in one of {@code states}, without extensions. */
  public static InetDiagReqV2 dump(int family, int protocol, int states) {
    return new InetDiagReqV2(family, protocol, 0, states, InetDiagSockId.any(family));
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static InetDiagReqV2 read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "inet_diag_req_v2");
    int at = b.position();
    int family = n.get(at) & 0xff;
    return new InetDiagReqV2(family, n.get(at + 1) & 0xff, n.get(at + 2) & 0xff, n.getInt(at + 4),
        InetDiagSockId.read(n, at + 8, family));
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(protocol).u8(ext).u8(0) // pad
        .u32(states).struct(id);
  }
}
