package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * {@code struct inet_diag_msg} (linux/inet_diag.h), the fixed part of a SOCK_DIAG_BY_FAMILY reply
 * for one inet socket.
 *
 * @param family idiag_family (u8), AF_INET or AF_INET6
 * @param state idiag_state (u8), TCP_*
 * @param timer idiag_timer (u8)
 * @param retrans idiag_retrans (u8)
 * @param id the socket's addresses and ports
 * @param expires idiag_expires
 * @param rqueue idiag_rqueue (u32): bytes queued to read, or a listener's accept backlog
 * @param wqueue idiag_wqueue (u32): bytes queued to send, or a listener's backlog limit
 * @param uid idiag_uid
 * @param inode idiag_inode (u32)
 */
public record InetDiagMsg(int family, int state, int timer, int retrans, InetDiagSockId id, int expires,
    int rqueue, int wqueue, int uid, int inode) implements KernelStruct {
  /** {@code sizeof(struct inet_diag_msg)}. */
  public static final int SIZE = 4 + InetDiagSockId.SIZE + 20;

  /** Checks that the u8 fields fit and the socket id is present. */
  public InetDiagMsg {
    Structs.u8("idiag_family", family);
    Structs.u8("idiag_state", state);
    Structs.u8("idiag_timer", timer);
    Structs.u8("idiag_retrans", retrans);
    Objects.requireNonNull(id, "id");
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static InetDiagMsg read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "inet_diag_msg");
    int at = b.position();
    int family = n.get(at) & 0xff;
    int after = at + 4 + InetDiagSockId.SIZE;
    return new InetDiagMsg(family, n.get(at + 1) & 0xff, n.get(at + 2) & 0xff, n.get(at + 3) & 0xff,
        InetDiagSockId.read(n, at + 4, family), n.getInt(after), n.getInt(after + 4), n.getInt(after + 8),
        n.getInt(after + 12), n.getInt(after + 16));
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(state).u8(timer).u8(retrans).struct(id)
        .u32(expires).u32(rqueue).u32(wqueue).u32(uid).u32(inode);
  }
}
