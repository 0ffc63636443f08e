package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.KernelBytes.ip;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MTU;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_OPERSTATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSGERR_ATTR_MSG;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_DONE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_ERROR;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK_TLVS;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CAPPED;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWNEIGH;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.libc.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import jnr.constants.platform.Errno;
import org.assertj.core.api.AbstractThrowableAssert;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each way a datagram can be malformed raises {@link NetlinkFormatException} whose message says
 * where and what. Zero lengths are included because a parser that advances by a length it read
 * would loop forever on them; the {@code @Timeout} is a hang guard, not a speed assertion.
 */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class MalformedInputTests {
  private static final Map<Integer, String> NAMES = Map.of(7, "eth0");
  private static final int EINVAL = Errno.EINVAL.intValue();

  private static AbstractThrowableAssert<?, ? extends Throwable> assertMalformed(ThrowingCallable call) {
    return assertThatThrownBy(call).isExactlyInstanceOf(NetlinkFormatException.class)
        .hasMessageStartingWith("malformed netlink data: ");
  }

  private static ByteBuffer buffer(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }

  /** A datagram whose nlmsghdr claims {@code nlmsgLen}, followed by {@code extra} zero bytes. */
  private static byte[] header(int nlmsgLen, int extra) {
    ByteBuffer b = ByteBuffer.allocate(16 + extra).order(ByteOrder.nativeOrder());
    b.putInt(nlmsgLen).putShort((short) RTM_NEWLINK).putShort((short) 0).putInt(1).putInt(0);
    return b.array();
  }

  /** A message of {@code type} whose payload is exactly {@code payload}. */
  private static Message message(int type, byte[] payload) {
    return new KernelBytes().message(type, 0, 1).raw(payload).end().single();
  }

  @Test
  void truncatedHeader() {
    byte[] bytes = header(16, 0);
    assertMalformed(() -> Message.parseAll(buffer(bytes), 10))
        .hasMessage("malformed netlink data: 10 trailing bytes at offset 0 are shorter than a 16-byte nlmsghdr");
  }

  @Test
  void nlmsgLenSmallerThanTheHeaderIncludingZero() {
    assertMalformed(() -> Message.parseAll(buffer(header(8, 0)), 16))
        .hasMessage("malformed netlink data: nlmsg_len 8 at offset 0 is smaller than the 16-byte header");
    assertMalformed(() -> Message.parseAll(buffer(header(0, 0)), 16))
        .hasMessageContaining("nlmsg_len 0 at offset 0");
    assertMalformed(() -> Message.parseAll(buffer(header(0x80000010, 0)), 16))
        .as("a negative int is shown unsigned").hasMessageContaining("nlmsg_len 2147483664 at offset 0");
  }

  @Test
  void nlmsgLenBeyondWhatWasReceived() {
    assertMalformed(() -> Message.parseAll(buffer(header(64, 4)), 20))
        .hasMessage("malformed netlink data: nlmsg_len 64 at offset 0 exceeds the 20 bytes received (truncated message)");
  }

  @Test
  void trailingBytesAfterTheLastMessage() {
    byte[] good = ReplyDecodingTests.reachableNeighbour().toByteArray();
    byte[] bytes = Arrays.copyOf(good, good.length + 6);

    assertMalformed(() -> Message.parseAll(buffer(bytes), bytes.length))
        .hasMessage("malformed netlink data: 6 trailing bytes at offset " + good.length
            + " are shorter than a 16-byte nlmsghdr");
  }

  @Test
  void secondMessageInTheDatagramIsCheckedToo() {
    byte[] first = ReplyDecodingTests.defaultRoute().toByteArray();
    byte[] bytes = Arrays.copyOf(first, first.length + 16);
    buffer(bytes).putInt(first.length, 15);

    assertMalformed(() -> Message.parseAll(buffer(bytes), bytes.length))
        .hasMessageContaining("nlmsg_len 15 at offset " + first.length);
  }

  @Test
  void lengthOutsideTheBuffer() {
    assertMalformed(() -> Message.parseAll(ByteBuffer.allocate(32), 33))
        .hasMessage("malformed netlink data: length 33 outside buffer of 32 bytes");
    assertMalformed(() -> Message.parseAll(ByteBuffer.allocate(32), -1))
        .hasMessageContaining("length -1 outside");
  }

  @Test
  void emptyDatagramHasNoMessages() {
    assertThat(Message.parseAll(ByteBuffer.allocate(0), 0)).isEmpty();
  }

  @Test
  void attributeLengthSmallerThanItsHeaderIncludingZero() {
    byte[] two = new KernelBytes().u16(2).u16(IFLA_MTU).toByteArray();
    assertMalformed(() -> Attributes.parse(buffer(two)))
        .hasMessage("malformed netlink data: nla_len 2 of attribute type 4 at offset 0 is smaller than its 4-byte header");

    byte[] zeroAfterGood = new KernelBytes().attrU32(IFLA_MTU, 1500).u16(0).u16(IFLA_IFNAME).toByteArray();
    assertMalformed(() -> Attributes.parse(buffer(zeroAfterGood)))
        .hasMessageContaining("nla_len 0 of attribute type 3 at offset 8");
  }

  @Test
  void attributeOverrunningItsRegion() {
    byte[] bytes = new KernelBytes().u16(12).u16(IFLA_MTU).u32(1500).toByteArray();

    assertMalformed(() -> Attributes.parse(buffer(bytes)))
        .hasMessage("malformed netlink data: nla_len 12 of attribute type 4 at offset 0 exceeds the 8 bytes left"
            + " (truncated attribute)");
  }

  @Test
  void nestedAttributeOverrunningItsParent() {
    // IFLA_LINKINFO says 12 bytes, but its child claims 16.
    byte[] bytes = new KernelBytes().u16(12).u16(IFLA_LINKINFO).u16(16).u16(IFLA_INFO_KIND).u32(0).toByteArray();
    Attributes outer = Attributes.parse(buffer(bytes));

    assertMalformed(() -> outer.nested(IFLA_LINKINFO))
        .hasMessageContaining("nla_len 16 of attribute type 1 at offset 0 exceeds the 8 bytes left");
  }

  @Test
  void misalignedTrailingAttributeBytes() {
    byte[] bytes = new KernelBytes().attrU32(IFLA_MTU, 1500).u16(0x1234).toByteArray();

    assertMalformed(() -> Attributes.parse(buffer(bytes)))
        .hasMessage("malformed netlink data: 2 trailing bytes at attribute offset 8 are shorter than a 4-byte nlattr header");
  }

  @Test
  void lastAttributeMayOmitItsPadding() {
    // The kernel's nla_ok accepts an unpadded final attribute; so does the parser.
    byte[] bytes = new KernelBytes().attrU32(IFLA_MTU, 1500).u16(5).u16(IFLA_OPERSTATE).u8(6).toByteArray();

    assertThat(Attributes.parse(buffer(bytes)).u8(IFLA_OPERSTATE, 0)).isEqualTo(6);
  }

  @Test
  void addressAttributeOfTheWrongLength() {
    byte[] bytes = new KernelBytes().attr(IFA_ADDRESS, new byte[] {(byte) 192, 0, 2, 1, 0}).toByteArray();

    assertMalformed(() -> Attributes.parse(buffer(bytes)).address(IFA_ADDRESS))
        .hasMessage("malformed netlink data: address attribute type 1 has 5 bytes; 4 or 16 expected");
  }

  @Test
  void decoderReportsAWrongLengthAddress() {
    Message m = new KernelBytes().message(RTM_NEWADDR, 0, 1).u8(Libc.AF_INET6).u8(64).u8(0).u8(0).u32(7)
        .attr(IFA_ADDRESS, new byte[8]).end().single();

    assertMalformed(() -> AddressCodec.decode(m, NAMES)).hasMessageContaining("address attribute type 1 has 8 bytes");
  }

  @Test
  void scalarAttributesShorterThanTheirType() {
    Attributes a = Attributes.parse(buffer(new KernelBytes().attr(IFLA_MTU, new byte[2])
        .attr(IFLA_OPERSTATE, new byte[0]).toByteArray()));

    assertMalformed(() -> a.u32(IFLA_MTU, 0))
        .hasMessage("malformed netlink data: attribute type 4 has 2 bytes; at least 4 expected");
    assertMalformed(() -> a.u8(IFLA_OPERSTATE, 0)).hasMessageContaining("attribute type 16 has 0 bytes; at least 1");
    assertMalformed(() -> a.be16(IFLA_OPERSTATE, 0)).hasMessageContaining("at least 2 expected");
  }

  @Test
  void payloadShorterThanTheFixedHeader() {
    Message link = message(RTM_NEWLINK, new byte[8]);
    assertMalformed(() -> link.requirePayload(IfInfoMsg.SIZE))
        .hasMessage("malformed netlink data: RTM_NEWLINK payload of 8 bytes is shorter than its 16-byte header");
    assertMalformed(() -> link.attributes(IfInfoMsg.SIZE))
        .hasMessage("malformed netlink data: RTM_NEWLINK payload of 8 bytes is shorter than its 16-byte header");
    assertMalformed(() -> LinkCodec.decode(link)).hasMessageContaining("16-byte header");
    assertMalformed(() -> AddressCodec.decode(message(RTM_NEWADDR, new byte[4]), NAMES))
        .hasMessageContaining("RTM_NEWADDR payload of 4 bytes is shorter than its " + IfAddrMsg.SIZE + "-byte header");
    assertMalformed(() -> RouteCodec.decode(message(RTM_NEWROUTE, new byte[8]), NAMES))
        .hasMessageContaining("payload of 8 bytes is shorter than its " + RtMsg.SIZE + "-byte header");
    assertMalformed(() -> NeighbourCodec.decode(message(RTM_NEWNEIGH, new byte[8]), NAMES))
        .hasMessageContaining("payload of 8 bytes is shorter than its " + NdMsg.SIZE + "-byte header");
    assertMalformed(() -> SockDiag.decode(message(SOCK_DIAG_BY_FAMILY, new byte[68]), IPPROTO_TCP))
        .hasMessageContaining("payload of 68 bytes is shorter than its " + InetDiagMsg.SIZE + "-byte header");
  }

  @Test
  void decodersRefuseTheWrongMessageType() {
    Message done = message(NLMSG_DONE, new byte[80]);

    assertMalformed(() -> LinkCodec.decode(done))
        .hasMessage("malformed netlink data: expected RTM_NEWLINK, got NLMSG_DONE{flags=0x0, seq=1, payload=80 bytes}");
    assertMalformed(() -> AddressCodec.decode(done, NAMES)).hasMessageContaining("expected RTM_NEWADDR, got NLMSG_DONE");
    assertMalformed(() -> RouteCodec.decode(done, NAMES)).hasMessageContaining("expected RTM_NEWROUTE, got NLMSG_DONE");
    assertMalformed(() -> NeighbourCodec.decode(done, NAMES)).hasMessageContaining("expected RTM_NEWNEIGH, got NLMSG_DONE");
    assertMalformed(() -> SockDiag.decode(done, IPPROTO_TCP)).hasMessageContaining("expected SOCK_DIAG_BY_FAMILY");
  }

  @Test
  void addressWithoutAnyAddressAttribute() {
    Message m = new KernelBytes().message(RTM_NEWADDR, 0, 1).u8(Libc.AF_INET).u8(24).u8(0).u8(0).u32(7)
        .attrString(3, "eth0").end().single();

    assertMalformed(() -> AddressCodec.decode(m, NAMES))
        .hasMessage("malformed netlink data: RTM_NEWADDR for ifindex 7 carries no address");
  }

  @Test
  void routePrefixLengthWiderThanTheAddress() {
    Message m = new KernelBytes().message(RTM_NEWROUTE, 0, 1)
        .u8(Libc.AF_INET).u8(33).u8(0).u8(0).u8(254).u8(2).u8(0).u8(1).u32(0)
        .attrAddress(RTA_DST, ip("198.51.100.0")).end().single();

    assertMalformed(() -> RouteCodec.decode(m, NAMES))
        .hasMessage("malformed netlink data: RTM_NEWROUTE rtm_dst_len 33 exceeds the 32 bits of its destination address");
  }

  @Test
  void extendedAckShorterThanTheEchoedHeader() {
    Message shortError = new KernelBytes().message(NLMSG_ERROR, NLM_F_ACK_TLVS, 1).u32(-EINVAL).end().single();
    assertMalformed(() -> NetlinkSocket.extAck(shortError))
        .hasMessage("malformed netlink data: NLMSG_ERROR payload of 4 bytes is shorter than its 20-byte header");
  }

  @Test
  void extendedAckWhoseEchoedLengthPointsPastTheMessage() {
    // Not capped, so the TLVs follow the whole echoed request, which claims 4 GiB - 1.
    Message m = new KernelBytes().message(NLMSG_ERROR, NLM_F_ACK_TLVS, 1).u32(-EINVAL)
        .u32(0xffffffff).u16(RTM_NEWLINK).u16(0).u32(1).u32(0).attrString(NLMSGERR_ATTR_MSG, "x").end().single();

    assertMalformed(() -> NetlinkSocket.extAck(m))
        .hasMessage("malformed netlink data: NLMSG_ERROR of 28 bytes claims ACK TLVs at offset 4294967300");
  }

  @Test
  void cappedExtendedAckWithBrokenTlvs() {
    Message m = new KernelBytes().message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1).u32(-EINVAL)
        .u32(16).u16(RTM_NEWLINK).u16(0).u32(1).u32(0).u16(40).u16(NLMSGERR_ATTR_MSG).u32(0).end().single();

    assertMalformed(() -> NetlinkSocket.extAck(m)).hasMessageContaining("nla_len 40 of attribute type 1");
  }

  @Test
  void malformedNestedLinkInfoSurfacesFromTheLinkDecoder() {
    Message m = new KernelBytes().message(RTM_NEWLINK, 0, 1).u8(0).u8(0).u16(1).u32(2).u32(0).u32(0)
        .attrString(IFLA_IFNAME, "eth0").u16(8).u16(IFLA_LINKINFO).u16(3).u16(IFLA_INFO_KIND).end().single();

    assertMalformed(() -> LinkCodec.decode(m)).hasMessageContaining("nla_len 3 of attribute type 1 at offset 0");
  }
}
