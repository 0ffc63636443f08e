package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;

/**
 * {@code struct ifinfomsg} (linux/rtnetlink.h), the fixed part of RTM_NEWLINK, RTM_DELLINK and
 * RTM_GETLINK messages.
 *
 * <pre>{@code
 * m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set dev eth0 up")
 *     .struct(IfInfoMsg.setFlags(index, IFF_UP, IFF_UP)).end();
 * }</pre>
 *
 * @param family ifi_family (u8); AF_UNSPEC in every request nsunit sends
 * @param type ifi_type (u16), the ARPHRD_* device type
 * @param index ifi_index; 0 names no link (a dump, a link named by IFLA_IFNAME, a new link)
 * @param flags ifi_flags, IFF_* bits
 * @param change ifi_change: which bits of {@code flags} a request sets or clears
 */
public record IfInfoMsg(int family, int type, int index, int flags, int change) implements KernelStruct {
  /** {@code sizeof(struct ifinfomsg)}. */
  public static final int SIZE = 16;

  private static final IfInfoMsg ANY = new IfInfoMsg(0, 0, 0, 0, 0);

  /** Checks that the u8 and u16 fields fit. */
  public IfInfoMsg {
    Structs.u8("ifi_family", family);
    Structs.u16("ifi_type", type);
  }

  /**
   * No ifindex and no flag changes: for a dump of every link, a request that names its link by
   * IFLA_IFNAME, or a link to create down.
   */
  public static IfInfoMsg any() {
    return ANY;
  }

  /** Link {@code index}, changing none of its flags. */
  public static IfInfoMsg of(int index) {
    return index == 0 ? ANY : new IfInfoMsg(0, 0, index, 0, 0);
  }

  /**
   * Link {@code index} (0 for one named by IFLA_IFNAME, or a new one) with the bits selected by
   * {@code change} set as they are in {@code flags}: {@code setFlags(i, IFF_UP, IFF_UP)} is
   * {@code ip link set dev IF up}, {@code setFlags(i, 0, IFF_UP)} is {@code down}.
   */
  public static IfInfoMsg setFlags(int index, int flags, int change) {
    return new IfInfoMsg(0, 0, index, flags, change);
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static IfInfoMsg read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "ifinfomsg");
    int at = b.position();
    return new IfInfoMsg(n.get(at) & 0xff, n.getShort(at + 2) & 0xffff, n.getInt(at + 4), n.getInt(at + 8),
        n.getInt(at + 12));
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(0) // __ifi_pad
        .u16(type).u32(index).u32(flags).u32(change);
  }
}
