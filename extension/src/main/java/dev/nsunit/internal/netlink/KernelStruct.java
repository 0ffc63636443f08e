package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;

/**
 * A fixed-layout kernel struct that netlink messages carry, as a typed value: it knows its size
 * and writes itself; each one's static {@code read} decodes the same layout, so the field offsets
 * of a struct live in its record alone.
 *
 * <p>Fields keep the kernel's widths: u8 and u16 fields hold 0..255 and 0..65535 (checked when a
 * value is made), u32 fields hold the kernel's 32 bits in an {@code int} (read them with
 * {@link Integer#toUnsignedLong} where they can exceed {@link Integer#MAX_VALUE}).
 */
public sealed interface KernelStruct
    permits IfInfoMsg, IfAddrMsg, RtMsg, NdMsg, InetDiagReqV2, InetDiagSockId, InetDiagMsg {

  /** {@code sizeof} the struct: how many bytes {@link #writeTo} writes. */
  int size();

  /**
   * Writes the struct at {@code b}'s position and advances it by {@link #size()}.
   *
   * @throws IllegalArgumentException if {@code b} is not in native byte order
   */
  void writeTo(ByteBuffer b);
}
