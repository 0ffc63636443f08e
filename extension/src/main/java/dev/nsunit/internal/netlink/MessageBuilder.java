package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLA_F_NESTED;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLA_HDRLEN;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Encodes one or more netlink requests into a direct buffer in native byte order. Sequence
 * numbers are assigned by {@link NetlinkSocket} when it sends. Nested attribute lengths are
 * patched when {@link #endNested(int)} is called; message lengths when {@link #end()} is.
 *
 * <pre>{@code
 * MessageBuilder m = new MessageBuilder()
 *     .begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, "ip link add br0 type bridge")
 *     .struct(IfInfoMsg.any()).attrString(IFLA_IFNAME, "br0");
 * int info = m.beginNested(IFLA_LINKINFO);
 * m.attrString(IFLA_INFO_KIND, "bridge").endNested(info).end();
 * }</pre>
 */
public final class MessageBuilder {
  private final ByteBuffer buffer;
  private final List<Integer> starts = new ArrayList<>(4);
  private final List<Object> descriptions = new ArrayList<>(4);
  private final List<Integer> flags = new ArrayList<>(4);
  private int current = -1;

  /** A builder with an 8 KiB buffer, ample for any request nsunit sends. */
  public MessageBuilder() {
    this(8192);
  }

  /** A builder with a buffer of {@code capacity} bytes. */
  public MessageBuilder(int capacity) {
    this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
  }

  /**
   * Starts a message.
   *
   * @param description how the request reads in iproute2 terms; used in error messages and
   *     turned into text (with {@code toString()}) only when one is needed
   */
  public MessageBuilder begin(int type, int flags, Object description) {
    if (current >= 0) {
      throw new IllegalStateException("end() the previous message first");
    }
    current = buffer.position();
    starts.add(current);
    descriptions.add(description);
    this.flags.add(flags);
    buffer.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    return this;
  }

  /** Finishes the current message: patches nlmsg_len and pads to 4 bytes. */
  public MessageBuilder end() {
    requireOpen();
    buffer.putInt(current, buffer.position() - current);
    pad();
    current = -1;
    return this;
  }

  private void requireOpen() {
    if (current < 0) {
      throw new IllegalStateException("begin() a message first");
    }
  }

  private void pad() {
    while ((buffer.position() & 3) != 0) {
      buffer.put((byte) 0);
    }
  }

  /** Writes a kernel struct, such as the ifinfomsg that follows an RTM_NEWLINK's header. */
  public MessageBuilder struct(KernelStruct struct) {
    requireOpen();
    struct.writeTo(this);
    return this;
  }

  /** Writes raw bytes into the fixed part, for a layout that has no {@link KernelStruct}. */
  public MessageBuilder raw(byte[] bytes) {
    requireOpen();
    buffer.put(bytes);
    return this;
  }

  // Fields of kernel structs, for the KernelStruct records only: each record owns its layout.

  MessageBuilder u8(int v) {
    requireOpen();
    buffer.put((byte) v);
    return this;
  }

  MessageBuilder u16(int v) {
    requireOpen();
    buffer.putShort((short) v);
    return this;
  }

  MessageBuilder u32(int v) {
    requireOpen();
    buffer.putInt(v);
    return this;
  }

  /** A u16 in network byte order (ports in inet_diag_sockid). */
  MessageBuilder be16(int v) {
    requireOpen();
    buffer.put((byte) (v >>> 8)).put((byte) v);
    return this;
  }

  /** {@code bytes} followed by zeros up to {@code width} (an IPv4 address in a 16-byte field). */
  MessageBuilder padded(byte[] bytes, int width) {
    requireOpen();
    buffer.put(bytes);
    for (int i = bytes.length; i < width; i++) {
      buffer.put((byte) 0);
    }
    return this;
  }

  /** An attribute with raw bytes. */
  public MessageBuilder attr(int type, byte[] value) {
    requireOpen();
    buffer.putShort((short) (NLA_HDRLEN + value.length)).putShort((short) type).put(value);
    pad();
    return this;
  }

  /** A NUL-terminated string attribute. */
  public MessageBuilder attrString(int type, String value) {
    byte[] s = value.getBytes(StandardCharsets.UTF_8);
    byte[] z = new byte[s.length + 1];
    System.arraycopy(s, 0, z, 0, s.length);
    return attr(type, z);
  }

  /** A native-order u32 attribute. */
  public MessageBuilder attrU32(int type, int value) {
    requireOpen();
    buffer.putShort((short) (NLA_HDRLEN + 4)).putShort((short) type).putInt(value);
    return this;
  }

  /** A u32 attribute in network byte order (nf_tables' NLA_BE32). */
  public MessageBuilder attrBe32(int type, int value) {
    requireOpen();
    buffer.putShort((short) (NLA_HDRLEN + 4)).putShort((short) type)
        .put((byte) (value >>> 24)).put((byte) (value >>> 16)).put((byte) (value >>> 8)).put((byte) value);
    return this;
  }

  /** A u64 attribute in network byte order (nf_tables' NLA_BE64, such as a rule handle). */
  public MessageBuilder attrBe64(int type, long value) {
    requireOpen();
    buffer.putShort((short) (NLA_HDRLEN + 8)).putShort((short) type);
    for (int shift = 56; shift >= 0; shift -= 8) {
      buffer.put((byte) (value >>> shift));
    }
    return this;
  }

  /** A u8 attribute. */
  public MessageBuilder attrU8(int type, int value) {
    return attr(type, new byte[] {(byte) value});
  }

  /** A u16 attribute in host byte order (padded to 4 bytes like every attribute). */
  public MessageBuilder attrU16(int type, int value) {
    return attr(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
  }

  /** A big-endian u16 attribute. */
  public MessageBuilder attrBe16(int type, int value) {
    return attr(type, new byte[] {(byte) (value >>> 8), (byte) value});
  }

  /** An address attribute: 4 bytes for IPv4, 16 for IPv6. */
  public MessageBuilder attrAddress(int type, InetAddress address) {
    return attr(type, address.getAddress());
  }

  /** Opens a nested attribute; returns the token to pass to {@link #endNested(int)}. */
  public int beginNested(int type) {
    requireOpen();
    int start = buffer.position();
    buffer.putShort((short) 0).putShort((short) (type | NLA_F_NESTED));
    return start;
  }

  /** Opens a nested attribute without the NLA_F_NESTED bit (needed by VETH_INFO_PEER). */
  public int beginNestedPlain(int type) {
    requireOpen();
    int start = buffer.position();
    buffer.putShort((short) 0).putShort((short) type);
    return start;
  }

  /** Closes a nested attribute by patching its length. */
  public MessageBuilder endNested(int token) {
    buffer.putShort(token, (short) (buffer.position() - token));
    return this;
  }

  /**
   * A description whose text is built only if an error message needs it: most requests succeed,
   * and string concatenation on every request is measurable on cold (interpreted) code paths.
   */
  static Object lazy(Supplier<String> text) {
    return new Object() {
      @Override
      public String toString() {
        return text.get();
      }
    };
  }

  /** Number of complete messages. */
  public int count() {
    return starts.size();
  }

  /** The iproute2-style description of message {@code i}. */
  public String description(int i) {
    return String.valueOf(descriptions.get(i));
  }

  /** The nlmsg_type of message {@code i}. */
  public int type(int i) {
    return buffer.getShort(starts.get(i) + 4) & 0xffff;
  }

  /** The nlmsg_flags of message {@code i}. */
  public int flags(int i) {
    return flags.get(i);
  }

  /** Stamps consecutive sequence numbers starting at {@code firstSeq} into every message. */
  void stampSequence(int firstSeq) {
    for (int i = 0; i < starts.size(); i++) {
      buffer.putInt(starts.get(i) + 8, firstSeq + i);
    }
  }

  /** The encoded bytes, from index 0 to {@link #length()}. */
  public ByteBuffer buffer() {
    if (current >= 0) {
      throw new IllegalStateException("message \"" + descriptions.get(descriptions.size() - 1)
          + "\" was begun but not ended");
    }
    return buffer;
  }

  /** Total encoded length in bytes. */
  public int length() {
    return buffer.position();
  }

  /** Forgets every message so the builder (and its buffer) can be reused. */
  public MessageBuilder reset() {
    buffer.clear();
    starts.clear();
    descriptions.clear();
    flags.clear();
    current = -1;
    return this;
  }

  /** Copies the encoded bytes out, for tests. */
  public byte[] toByteArray() {
    byte[] out = new byte[length()];
    buffer().get(0, out);
    return out;
  }
}
