package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;

/**
 * {@code struct ndmsg} (linux/neighbour.h), the fixed part of RTM_NEWNEIGH, RTM_DELNEIGH and
 * RTM_GETNEIGH messages.
 *
 * <pre>{@code
 * m.begin(RTM_GETNEIGH, NLM_F_REQUEST | NLM_F_DUMP, "ip neigh show").struct(NdMsg.dump()).end();
 * }</pre>
 *
 * @param family ndm_family (u8), AF_INET, AF_INET6 or AF_BRIDGE (FDB); AF_UNSPEC in a dump
 * @param index ndm_ifindex
 * @param state ndm_state (u16), NUD_* bits
 * @param flags ndm_flags (u8), NTF_* bits
 * @param type ndm_type (u8), RTN_*
 */
public record NdMsg(int family, int index, int state, int flags, int type) implements KernelStruct {
  /** {@code sizeof(struct ndmsg)}. */
  public static final int SIZE = 12;

  private static final NdMsg DUMP = new NdMsg(0, 0, 0, 0, 0);

  /** Checks that the u8 and u16 fields fit. */
  public NdMsg {
    Structs.u8("ndm_family", family);
    Structs.u16("ndm_state", state);
    Structs.u8("ndm_flags", flags);
    Structs.u8("ndm_type", type);
  }

  /** Every entry of every family and interface, for a dump. */
  public static NdMsg dump() {
    return DUMP;
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static NdMsg read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "ndmsg");
    int at = b.position();
    return new NdMsg(n.get(at) & 0xff, n.getInt(at + 4), n.getShort(at + 8) & 0xffff, n.get(at + 10) & 0xff,
        n.get(at + 11) & 0xff);
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(0).u16(0) // ndm_pad1, ndm_pad2
        .u32(index).u16(state).u8(flags).u8(type);
  }
}
