package dev.nsunit.internal.netlink;

/**
 * A fixed-layout kernel struct that netlink messages carry, as a typed value: it knows its size
 * and writes itself into a message ({@link MessageBuilder#struct}); each one's static
 * {@code read} decodes the same layout, so the field offsets of a struct live in its record alone.
 *
 * <p>Fields keep the kernel's widths: u8 and u16 fields hold 0..255 and 0..65535 (checked when a
 * value is made), u32 fields hold the kernel's 32 bits in an {@code int} (read them with
 * {@link Integer#toUnsignedLong} where they can exceed {@link Integer#MAX_VALUE}).
 */
public sealed interface KernelStruct
    permits IfInfoMsg, IfAddrMsg, RtMsg, NdMsg, InetDiagReqV2, InetDiagSockId, InetDiagMsg, NfGenMsg, TcMsg {

  /** {@code sizeof} the struct: how many bytes {@link #writeTo} writes. */
  int size();

  /**
   * Appends the struct, in host byte order, to the message {@code m} is building.
   *
   * @throws IllegalStateException if no message has been begun
   */
  void writeTo(MessageBuilder m);
}
