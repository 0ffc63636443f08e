package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_HDRLEN;
import static dev.nsunit.internal.netlink.NetlinkConstants.align;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One parsed netlink message: the {@code nlmsghdr} fields and a read-only view of the payload
 * (native byte order, position 0).
 *
 * @param type nlmsg_type
 * @param flags nlmsg_flags
 * @param seq nlmsg_seq
 * @param portId nlmsg_pid
 * @param payload the bytes after the header, up to nlmsg_len
 */
public record Message(int type, int flags, int seq, int portId, ByteBuffer payload) {

  /**
   * Splits {@code length} bytes of {@code buffer} (from index 0) into messages. Every length is
   * checked against what remains, so garbage raises {@link NetlinkFormatException}; the loop
   * advances at least 16 bytes per message and therefore always ends.
   */
  public static List<Message> parseAll(ByteBuffer buffer, int length) {
    if (length < 0 || length > buffer.capacity()) {
      throw new NetlinkFormatException("length " + length + " outside buffer of " + buffer.capacity() + " bytes");
    }
    ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
    List<Message> out = new ArrayList<>(4);
    int offset = 0;
    while (offset < length) {
      int remaining = length - offset;
      if (remaining < NLMSG_HDRLEN) {
        throw new NetlinkFormatException(remaining + " trailing bytes at offset " + offset
            + " are shorter than a 16-byte nlmsghdr");
      }
      int msgLen = b.getInt(offset);
      if (msgLen < NLMSG_HDRLEN) {
        throw new NetlinkFormatException("nlmsg_len " + Integer.toUnsignedString(msgLen) + " at offset "
            + offset + " is smaller than the 16-byte header");
      }
      if (msgLen > remaining) {
        throw new NetlinkFormatException("nlmsg_len " + msgLen + " at offset " + offset
            + " exceeds the " + remaining + " bytes received (truncated message)");
      }
      int type = b.getShort(offset + 4) & 0xffff;
      int flags = b.getShort(offset + 6) & 0xffff;
      int seq = b.getInt(offset + 8);
      int pid = b.getInt(offset + 12);
      ByteBuffer payload = b.slice(offset + NLMSG_HDRLEN, msgLen - NLMSG_HDRLEN)
          .asReadOnlyBuffer().order(ByteOrder.nativeOrder());
      out.add(new Message(type, flags, seq, pid, payload));
      offset += Math.min(align(msgLen), remaining);
    }
    return out;
  }

  /**
   * Parses the attributes that follow a fixed-size header of {@code headerLength} bytes in the
   * payload (e.g. 16 for ifinfomsg).
   */
  public Attributes attributes(int headerLength) {
    if (payload.limit() < headerLength) {
      throw new NetlinkFormatException(NetlinkConstants.messageTypeName(type) + " payload of "
          + payload.limit() + " bytes is shorter than its " + headerLength + "-byte header");
    }
    // the payload is already in native order: parse in place rather than slicing it again
    return payload.order() == ByteOrder.nativeOrder()
        ? Attributes.parse(payload, headerLength, payload.limit())
        : Attributes.parse(payload.slice(headerLength, payload.limit() - headerLength));
  }

  /** Requires the payload to hold at least {@code length} bytes. */
  public void requirePayload(int length) {
    if (payload.limit() < length) {
      throw new NetlinkFormatException(NetlinkConstants.messageTypeName(type) + " payload of "
          + payload.limit() + " bytes is shorter than its " + length + "-byte header");
    }
  }

  @Override
  public String toString() {
    return NetlinkConstants.messageTypeName(type) + "{flags=0x" + Integer.toHexString(flags) + ", seq="
        + seq + ", payload=" + payload.limit() + " bytes}";
  }
}
