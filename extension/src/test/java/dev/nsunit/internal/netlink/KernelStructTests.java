package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.KernelBytes.ip;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_NODAD;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_RUNNING;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_UP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_F_CLONED;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTNH_F_ONLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_UNICAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTPROT_BOOT;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_MAIN;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_CLOSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.TCP_LISTEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.IpPrefix;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@link KernelStruct} written and read back, and compared byte for byte with the kernel's
 * layout written out by hand. The hand-written bytes are little-endian, as on x86 and arm64
 * hosts; on a big-endian host those comparisons are skipped, the round trips still run.
 */
class KernelStructTests {
  private static final int NUD_PERMANENT = 0x80;
  private static final int NTF_SELF = 0x02;
  private static final int ARPHRD_LOOPBACK = 772;

  // ---- samples: every field set to a value whose bytes show where it lands ----

  private static final IfInfoMsg IFINFOMSG = new IfInfoMsg(Libc.AF_INET6, ARPHRD_LOOPBACK, 0x0102,
      IFF_UP | IFF_RUNNING, 0xffffffff);
  private static final IfAddrMsg IFADDRMSG = new IfAddrMsg(Libc.AF_INET6, 64, IFA_F_NODAD, RT_SCOPE_LINK, 0x0102);
  private static final RtMsg RTMSG = new RtMsg(Libc.AF_INET, 24, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_LINK,
      RTN_UNICAST, RTNH_F_ONLINK | RTM_F_CLONED);
  private static final NdMsg NDMSG = new NdMsg(Libc.AF_INET, 0x0102, NUD_PERMANENT, NTF_SELF, RTN_UNICAST);
  private static final InetDiagSockId SOCKID = new InetDiagSockId(8080, 443, ip("127.0.0.1"), ip("10.0.0.2"), 3,
      0x0000000200000001L);
  private static final InetDiagReqV2 REQ = InetDiagReqV2.dump(Libc.AF_INET6, IPPROTO_TCP, 1 << TCP_LISTEN);
  private static final InetDiagMsg DIAG_MSG = new InetDiagMsg(Libc.AF_INET6, TCP_LISTEN, 0, 0,
      new InetDiagSockId(8080, 0, mapped("127.0.0.1"), ip("::"), 0, 0xcafeL << 32 | 0xbeefL), 0, 3, 4096, 1000,
      0x80000001);

  static Stream<Arguments> samples() {
    return Stream.of(
        sample(IFINFOMSG, IfInfoMsg::read,
            "0a 00 04 03  02 01 00 00  41 00 00 00  ff ff ff ff"),
        sample(IFADDRMSG, IfAddrMsg::read,
            "0a 40 02 fd  02 01 00 00"),
        sample(RTMSG, RtMsg::read,
            "02 18 00 00  fe 03 fd 01  04 02 00 00"),
        sample(NDMSG, NdMsg::read,
            "02 00 00 00  02 01 00 00  80 00 02 01"),
        sample(SOCKID, b -> InetDiagSockId.read(b, Libc.AF_INET),
            "1f 90 01 bb"
            + "  7f 00 00 01  00 00 00 00  00 00 00 00  00 00 00 00"
            + "  0a 00 00 02  00 00 00 00  00 00 00 00  00 00 00 00"
            + "  03 00 00 00  01 00 00 00  02 00 00 00"),
        sample(REQ, InetDiagReqV2::read,
            "0a 06 00 00  00 04 00 00" + "  00".repeat(InetDiagSockId.SIZE)),
        sample(DIAG_MSG, InetDiagMsg::read,
            "0a 0a 00 00  1f 90 00 00"
            + "  00 00 00 00  00 00 00 00  00 00 ff ff  7f 00 00 01"
            + "  00 00 00 00  00 00 00 00  00 00 00 00  00 00 00 00"
            + "  00 00 00 00  ef be 00 00  fe ca 00 00"
            + "  00 00 00 00  03 00 00 00  00 10 00 00  e8 03 00 00  01 00 00 80"));
  }

  private static <T extends KernelStruct> Arguments sample(T struct, Function<ByteBuffer, T> read, String bytes) {
    return Arguments.of(struct.getClass().getSimpleName(), struct, read, hex(bytes));
  }

  private static byte[] hex(String spaced) {
    return HexFormat.of().parseHex(spaced.replace(" ", ""));
  }

  private static InetAddress mapped(String ipv4) {
    byte[] raw = new byte[16];
    raw[10] = (byte) 0xff;
    raw[11] = (byte) 0xff;
    System.arraycopy(ip(ipv4).getAddress(), 0, raw, 12, 4);
    try {
      return Inet6Address.getByAddress(null, raw, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static ByteBuffer nativeBuffer(int capacity) {
    return ByteBuffer.allocate(capacity).order(ByteOrder.nativeOrder());
  }

  /** Every byte of {@code buffer}, from 0 to its capacity. */
  private static byte[] contents(ByteBuffer buffer) {
    byte[] out = new byte[buffer.capacity()];
    buffer.duplicate().clear().get(out);
    return out;
  }

  private static ByteOrder otherOrder() {
    return ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
  }

  /** The bytes {@code struct} writes as the fixed part of a message. */
  private static byte[] written(KernelStruct struct) {
    MessageBuilder m = new MessageBuilder().begin(RTM_GETLINK, NLM_F_REQUEST, "struct").struct(struct).end();
    ByteBuffer payload = Message.parseAll(m.buffer(), m.length()).get(0).payload();
    byte[] out = new byte[payload.limit()];
    payload.get(0, out);
    return out;
  }

  // ---- every struct ----

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void writesExactlyItsSizeAndReadsBackEqualFromAnyPosition(String name, KernelStruct struct,
      Function<ByteBuffer, KernelStruct> read, byte[] expected) {
    byte[] bytes = written(struct);
    ByteBuffer b = nativeBuffer(3 + bytes.length + 5).position(3).put(bytes).position(3);

    assertThat(bytes).as("size() is what writeTo writes").hasSize(struct.size());
    assertThat(struct.size()).as("sizeof the kernel struct").isEqualTo(expected.length);
    assertThat(read.apply(b)).isEqualTo(struct);
    assertThat(b.position()).as("read leaves the position alone").isEqualTo(3);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void bytesMatchTheKernelLayoutInLittleEndianHostOrder(String name, KernelStruct struct,
      Function<ByteBuffer, KernelStruct> read, byte[] expected) {
    assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the expected bytes are little-endian");

    assertThat(written(struct)).isEqualTo(expected);
    assertThat(read.apply(ByteBuffer.wrap(expected).order(ByteOrder.LITTLE_ENDIAN))).isEqualTo(struct);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void readingFromABufferInTheOtherByteOrderStillReadsHostOrder(String name, KernelStruct struct,
      Function<ByteBuffer, KernelStruct> read, byte[] expected) {
    ByteBuffer other = ByteBuffer.wrap(written(struct)).order(otherOrder());

    assertThat(read.apply(other)).isEqualTo(struct);
    assertThat(other.order()).as("the caller's buffer is untouched").isEqualTo(otherOrder());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void writingOutsideAMessageIsRefusedWithTheRule(String name, KernelStruct struct,
      Function<ByteBuffer, KernelStruct> read, byte[] expected) {
    MessageBuilder m = new MessageBuilder();

    assertThatThrownBy(() -> struct.writeTo(m)).isInstanceOf(IllegalStateException.class)
        .hasMessage("begin() a message first");
    assertThatThrownBy(() -> m.struct(struct)).isInstanceOf(IllegalStateException.class)
        .hasMessage("begin() a message first");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("samples")
  void aBufferOneByteShortIsMalformedData(String name, KernelStruct struct,
      Function<ByteBuffer, KernelStruct> read, byte[] expected) {
    ByteBuffer b = nativeBuffer(struct.size() + 1).position(2);

    assertThatThrownBy(() -> read.apply(b)).isExactlyInstanceOf(NetlinkFormatException.class)
        .hasMessageEndingWith(" needs " + struct.size() + " bytes; " + (struct.size() - 1) + " remain");
  }

  // ---- unsigned fields read back unsigned ----

  @Test
  void allOnesFieldsReadBackAsTheirUnsignedMaximum() {
    List<KernelStruct> maxima = List.of(
        new IfInfoMsg(255, 0xffff, -1, -1, -1),
        new IfAddrMsg(255, 255, 255, 255, -1),
        new RtMsg(255, 255, 255, 255, 255, 255, 255, 255, -1),
        new NdMsg(255, -1, 0xffff, 255, 255),
        new InetDiagReqV2(255, 255, 255, -1,
            new InetDiagSockId(0xffff, 0xffff, ip("255.255.255.255"), ip("255.255.255.255"), -1, -1L)),
        new InetDiagMsg(Libc.AF_INET6, 255, 255, 255,
            new InetDiagSockId(0xffff, 0xffff, ip("ffff::ffff"), ip("ffff::ffff"), -1, -1L), -1, -1, -1, -1, -1));
    List<Function<ByteBuffer, KernelStruct>> readers = List.of(IfInfoMsg::read, IfAddrMsg::read, RtMsg::read,
        NdMsg::read, InetDiagReqV2::read, InetDiagMsg::read);

    for (int i = 0; i < maxima.size(); i++) {
      KernelStruct struct = maxima.get(i);
      assertThat(readers.get(i).apply(ByteBuffer.wrap(written(struct)))).isEqualTo(struct);
    }
  }

  @Test
  void valuesThatDoNotFitTheirFieldAreRefusedWithTheKernelsFieldName() {
    assertThatThrownBy(() -> new RtMsg(0, 0, 0, 0, 256, 0, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rtm_table 256 does not fit its u8 field (0..255)");
    assertThatThrownBy(() -> new IfInfoMsg(0, 0x10000, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ifi_type 65536 does not fit its u16 field (0..65535)");
    assertThatThrownBy(() -> new IfAddrMsg(0, -1, 0, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ifa_prefixlen -1 does not fit its u8 field (0..255)");
    assertThatThrownBy(() -> new NdMsg(0, 0, 0x10000, 0, 0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("ndm_state 65536");
    assertThatThrownBy(() -> new InetDiagSockId(65536, 0, ip("::"), ip("::"), 0, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("idiag_sport 65536");
    assertThatThrownBy(() -> InetDiagReqV2.dump(Libc.AF_INET, 256, 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("sdiag_protocol 256");
  }

  // ---- factories: what each request sends ----

  @Test
  void ifInfoMsgFactoriesNameTheLinkAndTheFlagsTheyChange() {
    assertThat(IfInfoMsg.any()).isEqualTo(new IfInfoMsg(0, 0, 0, 0, 0));
    assertThat(IfInfoMsg.of(7)).isEqualTo(new IfInfoMsg(0, 0, 7, 0, 0));
    assertThat(IfInfoMsg.of(0)).isEqualTo(IfInfoMsg.any());
    assertThat(IfInfoMsg.setFlags(7, IFF_UP, IFF_UP)).as("ip link set dev if7 up")
        .isEqualTo(new IfInfoMsg(0, 0, 7, IFF_UP, IFF_UP));
    assertThat(IfInfoMsg.setFlags(7, 0, IFF_UP)).as("ip link set dev if7 down")
        .isEqualTo(new IfInfoMsg(0, 0, 7, 0, IFF_UP));
  }

  @Test
  void ifAddrMsgTakesFamilyAndPrefixLengthFromThePrefix() {
    assertThat(IfAddrMsg.of(7, IpPrefix.parse("172.17.0.2/16"), 0, RT_SCOPE_UNIVERSE))
        .isEqualTo(new IfAddrMsg(Libc.AF_INET, 16, 0, RT_SCOPE_UNIVERSE, 7));
    assertThat(IfAddrMsg.of(7, IpPrefix.parse("fd00::2/64"), IFA_F_NODAD, RT_SCOPE_UNIVERSE))
        .isEqualTo(new IfAddrMsg(Libc.AF_INET6, 64, IFA_F_NODAD, RT_SCOPE_UNIVERSE, 7));
    assertThat(IfAddrMsg.dump()).isEqualTo(new IfAddrMsg(0, 0, 0, 0, 0));
  }

  @Test
  void rtMsgUnicastTakesFamilyAndLengthFromTheDestination() {
    RtMsg route = RtMsg.unicast(IpPrefix.parse("2001:db8::/32"), RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE);

    assertThat(route).isEqualTo(new RtMsg(Libc.AF_INET6, 32, 0, 0, RT_TABLE_MAIN, RTPROT_BOOT, RT_SCOPE_UNIVERSE,
        RTN_UNICAST, 0));
    assertThat(route.withFlags(RTNH_F_ONLINK)).isEqualTo(new RtMsg(Libc.AF_INET6, 32, 0, 0, RT_TABLE_MAIN,
        RTPROT_BOOT, RT_SCOPE_UNIVERSE, RTN_UNICAST, RTNH_F_ONLINK));
    assertThat(RtMsg.dump()).isEqualTo(new RtMsg(0, 0, 0, 0, 0, 0, 0, 0, 0));
    assertThat(NdMsg.dump()).isEqualTo(new NdMsg(0, 0, 0, 0, 0));
  }

  @Test
  void sockDiagDumpRequestMatchesEverySocketWithAnAllZeroId() {
    InetDiagReqV2 v4 = InetDiagReqV2.dump(Libc.AF_INET, IPPROTO_UDP, 1 << TCP_CLOSE);

    assertThat(v4.id()).isEqualTo(new InetDiagSockId(0, 0, ip("0.0.0.0"), ip("0.0.0.0"), 0, 0));
    ByteBuffer expected = nativeBuffer(InetDiagReqV2.SIZE).put((byte) Libc.AF_INET).put((byte) IPPROTO_UDP)
        .put((byte) 0).put((byte) 0).putInt(1 << TCP_CLOSE); // then 48 zero bytes: match everything
    assertThat(written(v4)).isEqualTo(contents(expected));
  }

  @Test
  void sockIdAddressesFollowTheFamilyAndAMappedAddressStaysIpv6() {
    ByteBuffer b = ByteBuffer.wrap(written(new InetDiagSockId(1, 2, mapped("192.0.2.1"), ip("::"), 0, 0)));

    InetDiagSockId v6 = InetDiagSockId.read(b, Libc.AF_INET6);
    InetDiagSockId v4 = InetDiagSockId.read(b, Libc.AF_INET);

    assertThat(v6.src()).isInstanceOf(Inet6Address.class).isEqualTo(mapped("192.0.2.1"));
    assertThat(v4.src()).as("AF_INET reads the first 4 of the 16 bytes").isEqualTo(ip("0.0.0.0"));
  }

  @Test
  void aDumpRequestBuiltFromStructsMatchesTheKernelBytesEncoder() {
    MessageBuilder m = new MessageBuilder()
        .begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, "ip link show").struct(IfInfoMsg.any()).end();

    byte[] expected = new KernelBytes().message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0)
        .u8(0).u8(0).u16(0).u32(0).u32(0).u32(0).end().toByteArray();
    assertThat(m.toByteArray()).isEqualTo(expected);
  }
}
