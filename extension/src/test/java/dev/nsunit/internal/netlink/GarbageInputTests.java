package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_UDP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLMSG_ERROR;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK_TLVS;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CAPPED;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWNEIGH;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.SOCK_DIAG_BY_FAMILY;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.internal.libc.Libc;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Property-style robustness: thousands of random, half-valid and mutated datagrams go through
 * {@link Message#parseAll}, {@link Attributes} and every decoder. Each call must either return or
 * throw a {@link NetlinkException}; anything else (IndexOutOfBounds, BufferUnderflow, NPE,
 * IllegalArgument from a model constructor) is a bug in the wire layer. The seed is fixed so a
 * failure reproduces; the failing input is printed in hex.
 *
 * <p>The {@code @Timeout}s are hang guards (a parser loop that stops advancing), not speed
 * assertions.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GarbageInputTests {
  private static final long SEED = 0x6e73756e6974L; // "nsunit"
  private static final int ROUNDS = 3000;
  /** Every fixed header length a decoder uses: none, ifaddrmsg, rtmsg/ndmsg, ifinfomsg, inet_diag_msg. */
  private static final int[] HEADER_LENGTHS = {0, IfAddrMsg.SIZE, RtMsg.SIZE, IfInfoMsg.SIZE, InetDiagMsg.SIZE};
  private static final int[] TYPES = {
    NLMSG_ERROR, NetlinkConstants.NLMSG_DONE, RTM_NEWLINK, RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWNEIGH, 0, 0xffff
  };
  private static final Map<Integer, String> NAMES = Map.of(1, "lo", 7, "eth0");

  private final Random random = new Random(SEED);
  private int parsed;
  private int decoded;

  @Test
  void randomBytesNeverEscapeAsAnotherExceptionType() {
    for (int i = 0; i < ROUNDS; i++) {
      byte[] bytes = new byte[random.nextInt(160)];
      random.nextBytes(bytes);
      feed(bytes, random.nextInt(bytes.length + 1));
    }
  }

  @Test
  void wellFramedMessagesWithGarbageInsideNeverEscapeAsAnotherExceptionType() {
    for (int i = 0; i < ROUNDS; i++) {
      byte[] bytes = framed();
      feed(bytes, bytes.length);
    }
    // The generator must actually reach the decoders, or this test proves nothing.
    assertThat(parsed).isGreaterThan(ROUNDS);
    assertThat(decoded).isGreaterThan(ROUNDS / 10);
  }

  @Test
  void mutatedKernelRepliesNeverEscapeAsAnotherExceptionType() {
    List<byte[]> seeds = List.of(ReplyDecodingTests.vethLink().toByteArray(),
        ReplyDecodingTests.ipv4Address().toByteArray(), ReplyDecodingTests.ipv6Address().toByteArray(),
        ReplyDecodingTests.defaultRoute().toByteArray(), ReplyDecodingTests.linkRoute().toByteArray(),
        ReplyDecodingTests.reachableNeighbour().toByteArray(),
        ReplyDecodingTests.dualStackListener(8080).toByteArray(),
        ReplyDecodingTests.cappedErrorWithText("Attribute failed policy validation").toByteArray());
    for (int i = 0; i < ROUNDS; i++) {
      byte[] bytes = seeds.get(random.nextInt(seeds.size())).clone();
      int flips = 1 + random.nextInt(4);
      for (int f = 0; f < flips; f++) {
        int at = random.nextInt(bytes.length);
        bytes[at] = random.nextInt(3) == 0 ? (byte) random.nextInt() : (byte) (bytes[at] ^ (1 << random.nextInt(8)));
      }
      feed(bytes, random.nextInt(4) == 0 ? random.nextInt(bytes.length + 1) : bytes.length);
    }
    assertThat(decoded).isGreaterThan(ROUNDS / 10);
  }

  /** One to three messages with honest nlmsg_len but random fixed headers and attribute runs. */
  private byte[] framed() {
    ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.nativeOrder());
    int messages = 1 + random.nextInt(3);
    for (int m = 0; m < messages; m++) {
      int start = b.position();
      int flags = random.nextBoolean() ? NLM_F_CAPPED | NLM_F_ACK_TLVS : random.nextInt(0x10000);
      b.putInt(0).putShort((short) TYPES[random.nextInt(TYPES.length)]).putShort((short) flags)
          .putInt(random.nextInt()).putInt(0);
      byte[] fixed = new byte[Math.max(0, HEADER_LENGTHS[random.nextInt(HEADER_LENGTHS.length)]
          + (random.nextInt(5) == 0 ? random.nextInt(9) - 4 : 0))];
      random.nextBytes(fixed);
      if (fixed.length > 0 && random.nextBoolean()) {
        fixed[0] = (byte) (random.nextBoolean() ? Libc.AF_INET : Libc.AF_INET6);
      }
      b.put(fixed);
      attributes(b, 0);
      if (random.nextInt(10) == 0) {
        b.put((byte) random.nextInt()); // misaligned tail
      }
      b.putInt(start, b.position() - start);
      while (random.nextInt(4) != 0 && (b.position() & 3) != 0) {
        b.put((byte) 0);
      }
    }
    byte[] out = new byte[b.position()];
    b.get(0, out);
    return out;
  }

  private void attributes(ByteBuffer b, int depth) {
    int count = random.nextInt(6);
    for (int a = 0; a < count && b.remaining() > 600; a++) {
      int start = b.position();
      int type = random.nextInt(4) == 0 ? random.nextInt(0x10000) : random.nextInt(20);
      b.putShort((short) 0).putShort((short) type);
      if (depth < 2 && random.nextInt(4) == 0) {
        attributes(b, depth + 1); // a nested run
      } else {
        byte[] value = new byte[random.nextBoolean() ? new int[] {0, 1, 2, 4, 6, 16}[random.nextInt(6)] : random.nextInt(40)];
        random.nextBytes(value);
        b.put(value);
      }
      int length = b.position() - start;
      int claimed = random.nextInt(6) == 0 ? length + random.nextInt(9) - 4 : length;
      b.putShort(start, (short) claimed);
      while ((b.position() & 3) != 0) {
        b.put((byte) 0);
      }
    }
  }

  /** Runs every parser and decoder over the input; only NetlinkException may escape any of them. */
  private void feed(byte[] bytes, int length) {
    List<Message> messages = call(bytes, () -> Message.parseAll(ByteBuffer.wrap(bytes), length));
    if (messages == null) {
      return;
    }
    parsed += messages.size();
    List<LinkCodec.Raw> raws = new ArrayList<>();
    for (Message m : messages) {
      call(bytes, m::toString);
      for (int h : HEADER_LENGTHS) {
        Attributes a = call(bytes, () -> m.attributes(h));
        if (a != null) {
          probe(bytes, a, 0);
        }
      }
      ByteBuffer p = m.payload();
      LinkCodec.Raw raw = decode(bytes, () -> LinkCodec.decode(as(m, RTM_NEWLINK)));
      if (raw != null) {
        raws.add(raw);
      }
      decode(bytes, () -> AddressCodec.decode(as(m, RTM_NEWADDR), NAMES));
      decode(bytes, () -> RouteCodec.decode(as(m, RTM_NEWROUTE), NAMES));
      decode(bytes, () -> NeighbourCodec.decode(as(m, RTM_NEWNEIGH), NAMES));
      decode(bytes, () -> SockDiag.decode(as(m, SOCK_DIAG_BY_FAMILY), IPPROTO_TCP));
      decode(bytes, () -> SockDiag.decode(as(m, SOCK_DIAG_BY_FAMILY), IPPROTO_UDP));
      call(bytes, () -> NetlinkSocket.extAck(new Message(NLMSG_ERROR, m.flags() | NLM_F_ACK_TLVS, m.seq(), 0, p)));
      call(bytes, () -> NetlinkSocket.extAck(new Message(NLMSG_ERROR, NLM_F_ACK_TLVS, m.seq(), 0, p)));
      // Decoders must refuse the wrong message type with a NetlinkException, too.
      call(bytes, () -> LinkCodec.decode(m));
      call(bytes, () -> RouteCodec.decode(m, NAMES));
    }
    call(bytes, () -> LinkCodec.resolve(raws).toString());
  }

  private static Message as(Message m, int type) {
    return new Message(type, m.flags(), m.seq(), m.portId(), m.payload());
  }

  /** Decodes and renders the result, since a decoded record must also print. */
  private <T> T decode(byte[] input, Supplier<T> decoder) {
    T result = call(input, decoder);
    if (result != null) {
      decoded++;
      call(input, result::toString);
    }
    return result;
  }

  private void probe(byte[] input, Attributes a, int depth) {
    for (int type = 0; type <= 65; type++) {
      int t = type;
      call(input, () -> a.has(t));
      call(input, () -> a.string(t));
      call(input, () -> a.u32(t, 0));
      call(input, () -> a.u8(t, 0));
      call(input, () -> a.be16(t, 0));
      call(input, () -> a.bytes(t));
      call(input, () -> a.address(t));
      if (depth == 0 && a.has(t)) {
        Attributes nested = call(input, () -> a.nested(t));
        if (nested != null) {
          probe(input, nested, depth + 1);
        }
      }
    }
  }

  private static <T> T call(byte[] input, Supplier<T> body) {
    try {
      return body.get();
    } catch (NetlinkException expected) {
      assertThat(expected).hasMessageStartingWith("malformed netlink data: ");
      return null;
    } catch (RuntimeException | Error e) {
      throw new AssertionError("wire layer threw " + e + " instead of NetlinkFormatException for input "
          + HexFormat.of().formatHex(input), e);
    }
  }
}
