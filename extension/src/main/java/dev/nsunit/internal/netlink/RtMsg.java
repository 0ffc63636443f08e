package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_UNICAST;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.IpPrefix;
import java.nio.ByteBuffer;

/**
 * {@code struct rtmsg} (linux/rtnetlink.h), the fixed part of RTM_NEWROUTE, RTM_DELROUTE and
 * RTM_GETROUTE messages.
 *
 * <pre>{@code
 * m.begin(RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, "ip route show table all").struct(RtMsg.dump()).end();
 * m.begin(RTM_NEWROUTE, flags, "ip route add 10.9.0.0/16 dev eth0")
 *     .struct(RtMsg.unicast(IpPrefix.parse("10.9.0.0/16"), RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_LINK));
 * }</pre>
 *
 * @param family rtm_family (u8), AF_INET or AF_INET6; AF_UNSPEC in a dump of both
 * @param dstLen rtm_dst_len (u8), the destination's prefix length
 * @param srcLen rtm_src_len (u8), the source prefix length (policy routing; 0 here)
 * @param tos rtm_tos (u8)
 * @param table rtm_table (u8), RT_TABLE_*; RT_TABLE_COMPAT when RTA_TABLE carries an id above 255
 * @param protocol rtm_protocol (u8), RTPROT_*: who installed the route
 * @param scope rtm_scope (u8), RT_SCOPE_*
 * @param type rtm_type (u8), RTN_*
 * @param flags rtm_flags, RTM_F_* and RTNH_F_* bits
 */
public record RtMsg(int family, int dstLen, int srcLen, int tos, int table, int protocol, int scope, int type,
    int flags) implements KernelStruct {
  /** {@code sizeof(struct rtmsg)}. */
  public static final int SIZE = 12;

  private static final RtMsg DUMP = new RtMsg(0, 0, 0, 0, 0, 0, 0, 0, 0);

  /** Checks that the u8 fields fit. */
  public RtMsg {
    Structs.u8("rtm_family", family);
    Structs.u8("rtm_dst_len", dstLen);
    Structs.u8("rtm_src_len", srcLen);
    Structs.u8("rtm_tos", tos);
    Structs.u8("rtm_table", table);
    Structs.u8("rtm_protocol", protocol);
    Structs.u8("rtm_scope", scope);
    Structs.u8("rtm_type", type);
  }

  /** Every route of every family and table, for a dump. */
  public static RtMsg dump() {
    return DUMP;
  }

  /**
   * A unicast route to {@code destination}, whose family and prefix length it takes; no flags.
   *
   * @param table RT_TABLE_*
   * @param protocol RTPROT_*
   * @param scope RT_SCOPE_*
   */
  public static RtMsg unicast(IpPrefix destination, int table, int protocol, int scope) {
    return new RtMsg(destination.isIpv6() ? Libc.AF_INET6 : Libc.AF_INET, destination.length(), 0, 0, table,
        protocol, scope, RTN_UNICAST, 0);
  }

  /** This struct with rtm_flags replaced, e.g. by RTNH_F_ONLINK. */
  public RtMsg withFlags(int flags) {
    return new RtMsg(family, dstLen, srcLen, tos, table, protocol, scope, type, flags);
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static RtMsg read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "rtmsg");
    int at = b.position();
    return new RtMsg(n.get(at) & 0xff, n.get(at + 1) & 0xff, n.get(at + 2) & 0xff, n.get(at + 3) & 0xff,
        n.get(at + 4) & 0xff, n.get(at + 5) & 0xff, n.get(at + 6) & 0xff, n.get(at + 7) & 0xff, n.getInt(at + 8));
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(dstLen).u8(srcLen).u8(tos).u8(table).u8(protocol).u8(scope).u8(type).u32(flags);
  }
}
