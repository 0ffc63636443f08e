package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.KernelBytes.ip;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_F_NODAD;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFF_UP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_EXT_MASK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_DATA;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_MTU;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_NET_NS_FD;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_OPERSTATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_GROUP6;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_ID;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_VXLAN_PORT;
import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLA_F_NESTED;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTA_GATEWAY;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTEXT_FILTER_SKIP_STATS;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWNEIGH;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTN_UNICAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTPROT_STATIC;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_SCOPE_UNIVERSE;
import static dev.nsunit.internal.netlink.NetlinkConstants.RT_TABLE_MAIN;
import static dev.nsunit.internal.netlink.NetlinkConstants.VETH_INFO_PEER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.libc.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Encodes with {@link MessageBuilder}, decodes with {@link Message#parseAll} and
 * {@link Attributes}, and checks every field; where the layout matters, the bytes are compared
 * with the independent {@link KernelBytes} encoder.
 */
class MessageRoundTripTests {

  private static List<Message> parse(MessageBuilder m) {
    return Message.parseAll(m.buffer(), m.length());
  }

  private static ByteBuffer nativeOrder(byte[] bytes) {
    return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
  }

  @Test
  void ifinfomsgWithScalarAttributesRoundTrips() {
    MessageBuilder m = new MessageBuilder()
        .begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link set eth0 mtu 9000 up")
        .struct(new IfInfoMsg(Libc.AF_INET6, 1, 7, IFF_UP, 0xffffffff))
        .attrString(IFLA_IFNAME, "eth0").attrU32(IFLA_MTU, 9000).attrU8(IFLA_OPERSTATE, 6)
        .attrBe16(IFLA_VXLAN_PORT, 4789).attr(IFLA_ADDRESS, KernelBytes.mac("02:42:ac:11:00:02"))
        .attrU32(IFLA_EXT_MASK, 0xfffffffe).end();

    List<Message> all = parse(m);

    assertThat(all).hasSize(1);
    Message msg = all.get(0);
    assertThat(msg.type()).isEqualTo(RTM_NEWLINK);
    assertThat(msg.flags()).isEqualTo(NLM_F_REQUEST | NLM_F_ACK);
    assertThat(msg.seq()).as("unstamped").isZero();
    assertThat(msg.portId()).isZero();
    ByteBuffer p = msg.payload();
    assertThat(p.get(0) & 0xff).as("ifi_family").isEqualTo(Libc.AF_INET6);
    assertThat(p.getShort(2) & 0xffff).as("ifi_type").isEqualTo(1);
    assertThat(p.getInt(4)).as("ifi_index").isEqualTo(7);
    assertThat(p.getInt(8)).as("ifi_flags").isEqualTo(IFF_UP);
    assertThat(p.getInt(12)).as("ifi_change").isEqualTo(0xffffffff);
    Attributes a = msg.attributes(IfInfoMsg.SIZE);
    assertThat(a.string(IFLA_IFNAME)).isEqualTo("eth0");
    assertThat(a.u32(IFLA_MTU, -1)).isEqualTo(9000);
    assertThat(a.u8(IFLA_OPERSTATE, -1)).isEqualTo(6);
    assertThat(a.be16(IFLA_VXLAN_PORT, -1)).isEqualTo(4789);
    assertThat(a.bytes(IFLA_VXLAN_PORT)).as("network order on the wire").containsExactly(0x12, 0xb5);
    assertThat(LinkCodec.mac(a.bytes(IFLA_ADDRESS))).isEqualTo("02:42:ac:11:00:02");
    assertThat(a.u32(IFLA_EXT_MASK, 0)).isEqualTo(0xfffffffe);
    assertThat(a.has(IFLA_LINKINFO)).isFalse();
    assertThat(a.u32(IFLA_LINKINFO, -7)).as("absent default").isEqualTo(-7);
    assertThat(a.string(IFLA_LINKINFO)).isNull();
    assertThat(a.address(IFLA_LINKINFO)).isNull();
    assertThat(a.nested(IFLA_LINKINFO).has(IFLA_INFO_KIND)).isFalse();
  }

  @Test
  void vethRequestWithNestedAndPlainNestedAttributesRoundTrips() {
    MessageBuilder m = new MessageBuilder()
        .begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, "ip link add a type veth peer b")
        .struct(IfInfoMsg.any()).attrString(IFLA_IFNAME, "veth-a");
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "veth");
    int data = m.beginNested(IFLA_INFO_DATA);
    int peer = m.beginNestedPlain(VETH_INFO_PEER);
    m.struct(IfInfoMsg.any()).attrString(IFLA_IFNAME, "veth-b").attrU32(IFLA_NET_NS_FD, 42);
    m.endNested(peer).endNested(data).endNested(info).attrU32(IFLA_MTU, 1400).end();

    Message msg = parse(m).get(0);
    byte[] raw = m.toByteArray();

    Attributes a = msg.attributes(IfInfoMsg.SIZE);
    assertThat(a.string(IFLA_IFNAME)).isEqualTo("veth-a");
    assertThat(a.u32(IFLA_MTU, 0)).as("attribute after the nest").isEqualTo(1400);
    Attributes linkInfo = a.nested(IFLA_LINKINFO);
    assertThat(linkInfo.string(IFLA_INFO_KIND)).isEqualTo("veth");
    ByteBuffer peerPayload = linkInfo.nested(IFLA_INFO_DATA).get(VETH_INFO_PEER);
    assertThat(peerPayload.limit()).as("ifinfomsg + IFLA_IFNAME(12) + IFLA_NET_NS_FD(8)")
        .isEqualTo(IfInfoMsg.SIZE + 12 + 8);
    Attributes peerAttributes = Attributes.parse(peerPayload.slice(IfInfoMsg.SIZE, peerPayload.limit() - IfInfoMsg.SIZE));
    assertThat(peerAttributes.string(IFLA_IFNAME)).isEqualTo("veth-b");
    assertThat(peerAttributes.u32(IFLA_NET_NS_FD, -1)).isEqualTo(42);

    // nla_type on the wire: NLA_F_NESTED on beginNested, absent on beginNestedPlain.
    ByteBuffer b = nativeOrder(raw);
    int linkInfoAt = 16 + IfInfoMsg.SIZE + 12; // after nlmsghdr, ifinfomsg, IFLA_IFNAME "veth-a\0" (4+7, padded)
    assertThat(b.getShort(linkInfoAt + 2) & 0xffff).isEqualTo(IFLA_LINKINFO | NLA_F_NESTED);
    int dataAt = linkInfoAt + 4 + 12; // after IFLA_INFO_KIND "veth\0" (4+5, padded)
    assertThat(b.getShort(dataAt + 2) & 0xffff).isEqualTo(IFLA_INFO_DATA | NLA_F_NESTED);
    assertThat(b.getShort(dataAt + 4 + 2) & 0xffff).isEqualTo(VETH_INFO_PEER);
    assertThat(b.getShort(linkInfoAt) & 0xffff).as("patched nest length").isEqualTo(4 + 12 + 4 + 4 + 36);
    assertThat(b.getInt(0)).as("nlmsg_len").isEqualTo(raw.length);
  }

  @Test
  void oddLengthAttributesArePaddedButKeepTheirTrueLength() {
    MessageBuilder m = new MessageBuilder().begin(RTM_NEWLINK, NLM_F_REQUEST, "padding")
        .attrString(IFLA_IFNAME, "abc") // 4 + 4: already aligned
        .attrString(IFLA_IFNAME + 100, "abcd") // 4 + 5 -> padded to 12
        .attrU8(IFLA_OPERSTATE, 0xab) // 4 + 1 -> 8
        .attrBe16(IFLA_VXLAN_PORT, 0x1f90) // 4 + 2 -> 8
        .attr(IFLA_ADDRESS, new byte[0]) // header only
        .attrU32(IFLA_MTU, 1).end();

    byte[] expected = new KernelBytes().message(RTM_NEWLINK, NLM_F_REQUEST, 0)
        .u16(8).u16(IFLA_IFNAME).raw(new byte[] {'a', 'b', 'c', 0})
        .u16(9).u16(IFLA_IFNAME + 100).raw(new byte[] {'a', 'b', 'c', 'd', 0, 0, 0, 0})
        .u16(5).u16(IFLA_OPERSTATE).raw(new byte[] {(byte) 0xab, 0, 0, 0})
        .u16(6).u16(IFLA_VXLAN_PORT).raw(new byte[] {0x1f, (byte) 0x90, 0, 0})
        .u16(4).u16(IFLA_ADDRESS)
        .u16(8).u16(IFLA_MTU).u32(1).end().toByteArray();
    assertThat(m.toByteArray()).isEqualTo(expected);

    Attributes a = parse(m).get(0).attributes(0);
    assertThat(a.string(IFLA_IFNAME)).isEqualTo("abc");
    assertThat(a.u8(IFLA_OPERSTATE, 0)).isEqualTo(0xab);
    assertThat(a.be16(IFLA_VXLAN_PORT, 0)).isEqualTo(8080);
    assertThat(a.bytes(IFLA_ADDRESS)).isEmpty();
    assertThat(a.u32(IFLA_MTU, 0)).isEqualTo(1);
    assertThat(a.has(IFLA_IFNAME + 100)).as("types above 64 are skipped").isFalse();
  }

  @Test
  void oddLengthMessageIsPaddedAndTheNextOneStartsAligned() {
    MessageBuilder m = new MessageBuilder()
        .begin(RTM_NEWNEIGH, NLM_F_REQUEST, "odd").raw(new byte[] {1, 2, 3}).end()
        .begin(RTM_NEWNEIGH, NLM_F_REQUEST, "even").raw(nativeOrder(new byte[4]).putInt(0, 0x01020304).array()).end();
    ByteBuffer b = nativeOrder(m.toByteArray());

    assertThat(b.getInt(0)).as("first nlmsg_len excludes padding").isEqualTo(19);
    assertThat(b.getInt(20)).as("second message at the aligned offset").isEqualTo(20);
    assertThat(m.length()).isEqualTo(40);
    List<Message> all = parse(m);
    assertThat(all).extracting(x -> x.payload().limit()).containsExactly(3, 4);
    assertThat(all.get(0).payload().get(2)).isEqualTo((byte) 3);
    assertThat(all.get(1).payload().getInt(0)).isEqualTo(0x01020304);
  }

  @Test
  void severalMessagesInOneBuilderKeepOrderFlagsAndStampedSequence() {
    MessageBuilder m = new MessageBuilder()
        .begin(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, "ip addr add 172.17.0.2/16 dev eth0")
        .struct(new IfAddrMsg(Libc.AF_INET, 16, IFA_F_NODAD, RT_SCOPE_UNIVERSE, 7))
        .attrAddress(IFA_LOCAL, ip("172.17.0.2")).attrAddress(IFA_ADDRESS, ip("172.17.0.2")).end()
        .begin(RTM_NEWROUTE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, "ip route add fd00::/64 via fe80::1")
        .struct(new RtMsg(Libc.AF_INET6, 64, 0, 0, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_LINK, RTN_UNICAST, 0x4))
        .attrAddress(RTA_DST, ip("fd00::")).attrAddress(RTA_GATEWAY, ip("fe80::1")).end()
        .begin(RTM_NEWNEIGH, NLM_F_REQUEST | NLM_F_ACK, "ip neigh add 172.17.0.9 dev eth0")
        .struct(new NdMsg(Libc.AF_INET, 7, 0x80, 0, RTN_UNICAST)).attrAddress(NDA_DST, ip("172.17.0.9")).end();
    m.stampSequence(41);

    List<Message> all = parse(m);

    assertThat(m.count()).isEqualTo(3);
    assertThat(m.description(1)).isEqualTo("ip route add fd00::/64 via fe80::1");
    assertThat(m.flags(2)).isEqualTo(NLM_F_REQUEST | NLM_F_ACK);
    assertThat(all).extracting(Message::type).containsExactly(RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEIGH);
    assertThat(all).extracting(Message::seq).containsExactly(41, 42, 43);

    ByteBuffer addr = all.get(0).payload();
    assertThat(new int[] {addr.get(0), addr.get(1), addr.get(2), addr.get(3), addr.getInt(4)})
        .containsExactly(Libc.AF_INET, 16, IFA_F_NODAD, RT_SCOPE_UNIVERSE, 7);
    assertThat(all.get(0).attributes(IfAddrMsg.SIZE).address(IFA_LOCAL)).isEqualTo(ip("172.17.0.2"));

    ByteBuffer rt = all.get(1).payload();
    assertThat(new int[] {rt.get(0), rt.get(1), rt.get(2), rt.get(3), rt.get(4) & 0xff, rt.get(5),
        rt.get(6) & 0xff, rt.get(7), rt.getInt(8)})
        .containsExactly(Libc.AF_INET6, 64, 0, 0, RT_TABLE_MAIN, RTPROT_STATIC, RT_SCOPE_LINK, RTN_UNICAST, 0x4);
    Attributes ra = all.get(1).attributes(RtMsg.SIZE);
    assertThat(ra.address(RTA_DST)).isEqualTo(ip("fd00::"));
    assertThat(ra.address(RTA_GATEWAY)).isEqualTo(ip("fe80::1"));

    ByteBuffer nd = all.get(2).payload();
    assertThat(new int[] {nd.get(0), nd.getInt(4), nd.getShort(8), nd.get(10), nd.get(11)})
        .containsExactly(Libc.AF_INET, 7, 0x80, 0, RTN_UNICAST);
    assertThat(all.get(2).attributes(NdMsg.SIZE).address(NDA_DST)).isEqualTo(ip("172.17.0.9"));
  }

  @Test
  void fixedHeadersMatchTheKernelStructLayouts() {
    MessageBuilder m = new MessageBuilder()
        .begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, "ip link show").struct(IfInfoMsg.any())
        .attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).end()
        .begin(RTM_NEWADDR, NLM_F_REQUEST, "addr").struct(new IfAddrMsg(Libc.AF_INET6, 64, 2, 253, 9)).end()
        .begin(RTM_NEWROUTE, NLM_F_REQUEST, "route").struct(new RtMsg(2, 24, 0, 0, 254, 4, 0, 1, 4)).end()
        .begin(RTM_NEWNEIGH, NLM_F_REQUEST, "neigh").struct(new NdMsg(10, 3, 0x80, 0, 1)).end();

    byte[] expected = new KernelBytes()
        .message(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 0).u8(0).u8(0).u16(0).u32(0).u32(0).u32(0)
        .attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS).end()
        .message(RTM_NEWADDR, NLM_F_REQUEST, 0).u8(10).u8(64).u8(2).u8(253).u32(9).end()
        .message(RTM_NEWROUTE, NLM_F_REQUEST, 0).u8(2).u8(24).u8(0).u8(0).u8(254).u8(4).u8(0).u8(1).u32(4).end()
        .message(RTM_NEWNEIGH, NLM_F_REQUEST, 0).u8(10).u8(0).u16(0).u32(3).u16(0x80).u8(0).u8(1).end()
        .toByteArray();
    assertThat(m.toByteArray()).isEqualTo(expected);
  }

  @Test
  void vxlanAttributesWithAddressesOfBothFamiliesRoundTrip() {
    MessageBuilder m = new MessageBuilder().begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, "vxlan")
        .struct(IfInfoMsg.any());
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "vxlan");
    int data = m.beginNested(IFLA_INFO_DATA);
    m.attrU32(IFLA_VXLAN_ID, 42).attrAddress(IFLA_VXLAN_LOCAL, ip("203.0.113.1"))
        .attrAddress(IFLA_VXLAN_GROUP6, ip("ff05::42")).attrBe16(IFLA_VXLAN_PORT, 4789);
    m.endNested(data).endNested(info).end();

    Attributes d = parse(m).get(0).attributes(IfInfoMsg.SIZE).nested(IFLA_LINKINFO).nested(IFLA_INFO_DATA);

    assertThat(d.u32(IFLA_VXLAN_ID, 0)).isEqualTo(42);
    assertThat(d.address(IFLA_VXLAN_LOCAL)).isEqualTo(ip("203.0.113.1"));
    assertThat(d.address(IFLA_VXLAN_GROUP6)).isEqualTo(ip("ff05::42"));
    assertThat(d.be16(IFLA_VXLAN_PORT, 0)).isEqualTo(4789);
  }

  @Test
  void laterAttributeOfTheSameTypeWinsLikeTheKernelsParser() {
    MessageBuilder m = new MessageBuilder().begin(RTM_NEWLINK, 0, "dup")
        .attrU32(IFLA_MTU, 1500).attrU32(IFLA_MTU, 9000).end();

    assertThat(parse(m).get(0).attributes(0).u32(IFLA_MTU, 0)).isEqualTo(9000);
  }

  @Test
  void attributesParseFromTheRegionsPositionNotIndexZero() {
    byte[] bytes = new KernelBytes().u32(0xdeadbeef).attrU32(IFLA_MTU, 1280).toByteArray();
    ByteBuffer region = nativeOrder(bytes).position(4);

    assertThat(Attributes.parse(region).u32(IFLA_MTU, 0)).isEqualTo(1280);
  }

  @Test
  void stringStopsAtTheFirstNulAndToleratesAMissingOne() {
    byte[] bytes = new KernelBytes().attr(IFLA_IFNAME, new byte[] {'e', 't', 'h', 0, 'x'})
        .attr(IFLA_INFO_KIND, new byte[] {'v', 'e', 't', 'h'}).toByteArray();

    Attributes a = Attributes.parse(nativeOrder(bytes));

    assertThat(a.string(IFLA_IFNAME)).isEqualTo("eth");
    assertThat(a.string(IFLA_INFO_KIND)).isEqualTo("veth");
  }

  @Test
  void builderRefusesMisuseWithTheRule() {
    MessageBuilder m = new MessageBuilder();
    assertThatThrownBy(() -> m.attrU32(IFLA_MTU, 1)).isInstanceOf(IllegalStateException.class)
        .hasMessage("begin() a message first");
    m.begin(RTM_NEWLINK, NLM_F_REQUEST, "ip link set eth0 up");
    assertThatThrownBy(() -> m.begin(RTM_NEWLINK, 0, "second")).isInstanceOf(IllegalStateException.class)
        .hasMessage("end() the previous message first");
    assertThatThrownBy(m::buffer).isInstanceOf(IllegalStateException.class)
        .hasMessage("message \"ip link set eth0 up\" was begun but not ended");
  }

  @Test
  void resetForgetsEverythingSoTheBufferCanBeReused() {
    MessageBuilder m = new MessageBuilder(64).begin(RTM_NEWLINK, NLM_F_REQUEST, "first")
        .attrString(IFLA_IFNAME, "old-name").end();

    m.reset().begin(RTM_GETLINK, NLM_F_REQUEST, "second").attrU32(IFLA_MTU, 1).end();

    assertThat(m.count()).isEqualTo(1);
    assertThat(m.description(0)).isEqualTo("second");
    List<Message> all = parse(m);
    assertThat(all).singleElement().extracting(Message::type).isEqualTo(RTM_GETLINK);
    assertThat(all.get(0).attributes(0).has(IFLA_IFNAME)).isFalse();
  }
}
