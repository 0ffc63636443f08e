package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.model.InetAddresses;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Wire-format tests of attribute parsing; no privileges needed. */
class AttributesTests {

  /** Attributes encoded by MessageBuilder after a 16-byte ifinfomsg, as a message payload. */
  private static ByteBuffer payload(Consumer<MessageBuilder> attrs) {
    MessageBuilder m = new MessageBuilder().begin(16, 0, "test").struct(IfInfoMsg.of(7));
    attrs.accept(m);
    m.end();
    return Message.parseAll(m.buffer(), m.length()).get(0).payload();
  }

  @Test
  void readsEachKindOfValueInPlace() throws Exception {
    ByteBuffer p = payload(m -> {
      m.attrString(3, "eth0").attrU32(4, 1500).attrU8(16, 6).attrBe16(20, 4789)
          .attrAddress(1, InetAddresses.parse("192.0.2.7"));
      int info = m.beginNested(18);
      m.attrString(1, "veth").endNested(info);
    });
    Attributes a = new Message(16, 0, 1, 0, p).attributes(16);
    assertThat(a.string(3)).isEqualTo("eth0");
    assertThat(a.u32(4, -1)).isEqualTo(1500);
    assertThat(a.u8(16, -1)).isEqualTo(6);
    assertThat(a.be16(20, -1)).isEqualTo(4789);
    assertThat(a.address(1)).isEqualTo(InetAddresses.parse("192.0.2.7"));
    assertThat(a.nested(18).string(1)).isEqualTo("veth");
    assertThat(a.bytes(4)).containsExactly(0xdc, 0x05, 0, 0);
    ByteBuffer mtu = a.get(4);
    assertThat(mtu.position()).isZero();
    assertThat(mtu.limit()).isEqualTo(4);
    assertThat(mtu.getInt(0)).isEqualTo(1500);
    assertThat(a.has(5)).isFalse();
    assertThat(a.get(5)).isNull();
    assertThat(a.u32(5, -1)).isEqualTo(-1);
    assertThat(a.string(5)).isNull();
    assertThat(a.nested(5).has(1)).isFalse();
    assertThat(a.get(200)).isNull();
  }

  @Test
  void laterAttributeOfTheSameTypeWins() {
    ByteBuffer p = payload(m -> m.attrU32(4, 1).attrU32(4, 2));
    assertThat(new Message(16, 0, 1, 0, p).attributes(16).u32(4, -1)).isEqualTo(2);
  }

  @Test
  void publicParseHonoursPositionAndByteOrder() {
    ByteBuffer raw = ByteBuffer.allocate(3 + 8).order(ByteOrder.BIG_ENDIAN);
    raw.position(3);
    ByteBuffer attrs = raw.slice().order(ByteOrder.nativeOrder());
    attrs.putShort((short) 8).putShort((short) 4).putInt(9000);
    raw.position(3);
    Attributes a = Attributes.parse(raw); // big-endian view, attributes start at position 3
    assertThat(a.u32(4, -1)).isEqualTo(9000);
    assertThat(raw.order()).isEqualTo(ByteOrder.BIG_ENDIAN); // the caller's buffer is untouched
    assertThat(raw.position()).isEqualTo(3);
  }

  @Test
  void rejectsTruncatedAndUndersizedAttributes() {
    ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.nativeOrder());
    b.putShort(0, (short) 12).putShort(2, (short) 4);
    assertThatThrownBy(() -> Attributes.parse(b)).isInstanceOf(NetlinkFormatException.class)
        .hasMessageContaining("truncated attribute");
    b.putShort(0, (short) 5);
    assertThatThrownBy(() -> Attributes.parse(b).u32(4, 0)).isInstanceOf(NetlinkFormatException.class)
        .hasMessageContaining("at least 4 expected");
  }
}
