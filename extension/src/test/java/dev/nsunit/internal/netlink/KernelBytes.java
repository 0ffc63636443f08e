package dev.nsunit.internal.netlink;

import dev.nsunit.model.InetAddresses;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * Writes netlink datagrams byte by byte in the kernel's layout, independently of
 * {@link MessageBuilder}, so that decoding tests do not share an encoder bug with the code under
 * test. Headers are native order; {@link #be16} and addresses are network order, as on the wire.
 */
final class KernelBytes {
  private final ByteBuffer b = ByteBuffer.allocate(16 * 1024).order(ByteOrder.nativeOrder());
  private int messageStart = -1;

  /** Starts a message with an nlmsghdr whose length is patched by {@link #end()}. */
  KernelBytes message(int type, int flags, int seq) {
    messageStart = b.position();
    b.putInt(0).putShort((short) type).putShort((short) flags).putInt(seq).putInt(0);
    return this;
  }

  /** Patches nlmsg_len and pads to 4 bytes. */
  KernelBytes end() {
    b.putInt(messageStart, b.position() - messageStart);
    pad();
    messageStart = -1;
    return this;
  }

  KernelBytes u8(int v) {
    b.put((byte) v);
    return this;
  }

  KernelBytes u16(int v) {
    b.putShort((short) v);
    return this;
  }

  KernelBytes u32(int v) {
    b.putInt(v);
    return this;
  }

  KernelBytes be16(int v) {
    b.put((byte) (v >>> 8)).put((byte) v);
    return this;
  }

  KernelBytes raw(byte[] bytes) {
    b.put(bytes);
    return this;
  }

  /** An address padded with zeros to {@code width} bytes, as in inet_diag_sockid (16). */
  KernelBytes address(InetAddress a, int width) {
    byte[] raw = a.getAddress();
    b.put(raw).put(new byte[width - raw.length]);
    return this;
  }

  /** An rtattr with a raw payload, padded to 4 bytes. */
  KernelBytes attr(int type, byte[] payload) {
    b.putShort((short) (4 + payload.length)).putShort((short) type).put(payload);
    pad();
    return this;
  }

  KernelBytes attrString(int type, String s) {
    byte[] raw = s.getBytes(StandardCharsets.UTF_8);
    return attr(type, Arrays.copyOf(raw, raw.length + 1));
  }

  KernelBytes attrU32(int type, int v) {
    return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(v).array());
  }

  KernelBytes attrU8(int type, int v) {
    return attr(type, new byte[] {(byte) v});
  }

  KernelBytes attrAddress(int type, InetAddress a) {
    return attr(type, a.getAddress());
  }

  /** Opens a nested attribute; pass the result to {@link #endNest(int)}. */
  int nest(int type) {
    int start = b.position();
    b.putShort((short) 0).putShort((short) type);
    return start;
  }

  KernelBytes endNest(int start) {
    b.putShort(start, (short) (b.position() - start));
    return this;
  }

  private void pad() {
    while ((b.position() & 3) != 0) {
      b.put((byte) 0);
    }
  }

  /** The bytes written so far. */
  byte[] toByteArray() {
    return Arrays.copyOf(b.array(), b.position());
  }

  /** Parses everything written so far. */
  List<Message> parse() {
    byte[] bytes = toByteArray();
    return Message.parseAll(ByteBuffer.wrap(bytes), bytes.length);
  }

  /** Parses and requires exactly one message. */
  Message single() {
    List<Message> all = parse();
    if (all.size() != 1) {
      throw new AssertionError("expected one message, parsed " + all);
    }
    return all.get(0);
  }

  static InetAddress ip(String literal) {
    return InetAddresses.parse(literal);
  }

  static byte[] mac(String text) {
    return LinkCodec.parseMac(text);
  }
}
