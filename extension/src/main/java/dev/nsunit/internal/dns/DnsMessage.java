package dev.nsunit.internal.dns;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The part of RFC 1035 a stub resolver's question needs: one question in, an authoritative
 * answer out. Answers carry a TTL of 0, since the same name means another endpoint in the next
 * test; nothing is compressed except the answers' owner name, which points at the question.
 */
public final class DnsMessage {
  /** RR type A. */
  public static final int TYPE_A = 1;
  /** RR type PTR. */
  public static final int TYPE_PTR = 12;
  /** RR type AAAA. */
  public static final int TYPE_AAAA = 28;
  /** RR type ANY. */
  public static final int TYPE_ANY = 255;

  static final int RCODE_NOERROR = 0;
  static final int RCODE_FORMERR = 1;
  static final int RCODE_NXDOMAIN = 3;
  static final int RCODE_NOTIMP = 4;

  private static final int HEADER = 12;
  private static final int CLASS_IN = 1;
  private static final int MAX_UDP = 512;
  private static final String REVERSE_V4 = ".in-addr.arpa";

  private DnsMessage() {}

  /** A parsed question: the name in lower case without the final dot, its type and class. */
  record Question(int id, int flags, String name, int type, int qclass, int end) {}

  /**
   * The response to the query in {@code query} (position to limit), or empty when it is not
   * worth an answer (shorter than a header, or itself a response).
   */
  public static Optional<ByteBuffer> respond(ByteBuffer query, Answers answers) {
    ByteBuffer q = query.slice();
    if (q.remaining() < HEADER) {
      return Optional.empty();
    }
    int id = q.getShort(0) & 0xffff;
    int flags = q.getShort(2) & 0xffff;
    if ((flags & 0x8000) != 0) {
      return Optional.empty();
    }
    int opcode = (flags >> 11) & 0xf;
    int qdcount = q.getShort(4) & 0xffff;
    if (opcode != 0) {
      return Optional.of(header(id, flags, RCODE_NOTIMP));
    }
    if (qdcount != 1) {
      return Optional.of(header(id, flags, RCODE_FORMERR));
    }
    Question question;
    try {
      question = question(q, id, flags);
    } catch (BufferUnderflowException | IllegalArgumentException | IndexOutOfBoundsException e) {
      return Optional.of(header(id, flags, RCODE_FORMERR));
    }
    return Optional.of(answer(q, question, answers));
  }

  private static Question question(ByteBuffer q, int id, int flags) {
    StringBuilder name = new StringBuilder();
    int p = HEADER;
    while (true) {
      int len = q.get(p++) & 0xff;
      if (len == 0) {
        break;
      }
      if (len > 63) {
        throw new IllegalArgumentException("compressed or extended label in a question");
      }
      if (name.length() > 0) {
        name.append('.');
      }
      byte[] label = new byte[len];
      q.get(p, label);
      p += len;
      name.append(new String(label, StandardCharsets.US_ASCII));
    }
    int type = q.getShort(p) & 0xffff;
    int qclass = q.getShort(p + 2) & 0xffff;
    return new Question(id, flags, name.toString().toLowerCase(Locale.ROOT), type, qclass, p + 4);
  }

  private static ByteBuffer answer(ByteBuffer q, Question question, Answers answers) {
    if (question.qclass() != CLASS_IN && question.qclass() != TYPE_ANY) {
      return withQuestion(q, question, RCODE_NOTIMP, List.of(), null);
    }
    if (question.type() == TYPE_PTR) {
      Optional<InetAddress> address = reverse(question.name());
      Optional<String> host = address.flatMap(answers::nameOf);
      if (host.isEmpty()) {
        return withQuestion(q, question, RCODE_NXDOMAIN, List.of(), null);
      }
      return withQuestion(q, question, RCODE_NOERROR, List.of(), host.get());
    }
    Optional<List<InetAddress>> found = answers.addressesOf(question.name());
    if (found.isEmpty()) {
      return withQuestion(q, question, RCODE_NXDOMAIN, List.of(), null);
    }
    List<InetAddress> matching = found.get().stream().filter(a -> switch (question.type()) {
      case TYPE_A -> a instanceof Inet4Address;
      case TYPE_AAAA -> a instanceof Inet6Address;
      case TYPE_ANY -> true;
      default -> false; // a name that exists has no records of this type: NOERROR, no answer
    }).toList();
    return withQuestion(q, question, RCODE_NOERROR, matching, null);
  }

  /** {@code 4.3.2.1.in-addr.arpa} to 1.2.3.4; empty for anything else. */
  static Optional<InetAddress> reverse(String name) {
    if (!name.endsWith(REVERSE_V4)) {
      return Optional.empty();
    }
    String[] parts = name.substring(0, name.length() - REVERSE_V4.length()).split("\\.", -1);
    if (parts.length != 4) {
      return Optional.empty();
    }
    byte[] bytes = new byte[4];
    try {
      for (int i = 0; i < 4; i++) {
        int v = Integer.parseInt(parts[3 - i]);
        if (v < 0 || v > 255) {
          return Optional.empty();
        }
        bytes[i] = (byte) v;
      }
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (NumberFormatException | UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static ByteBuffer header(int id, int queryFlags, int rcode) {
    ByteBuffer out = ByteBuffer.allocate(HEADER);
    out.putShort((short) id);
    out.putShort((short) responseFlags(queryFlags, rcode));
    out.putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0);
    return out.flip();
  }

  /** QR, the query's opcode and RD, AA and RA set, and the code. */
  private static int responseFlags(int queryFlags, int rcode) {
    return 0x8000 | (queryFlags & 0x7800) | 0x0400 | (queryFlags & 0x0100) | 0x0080 | rcode;
  }

  private static ByteBuffer withQuestion(ByteBuffer q, Question question, int rcode, List<InetAddress> addresses,
      String ptrName) {
    byte[] encodedPtr = ptrName == null ? null : encodeName(ptrName);
    ByteBuffer out = ByteBuffer.allocate(MAX_UDP * 2);
    out.putShort((short) question.id());
    int flagsAt = out.position();
    out.putShort((short) responseFlags(question.flags(), rcode));
    out.putShort((short) 1);
    int answerCount = encodedPtr != null ? 1 : addresses.size();
    out.putShort((short) 0).putShort((short) 0).putShort((short) 0);
    out.put(q.duplicate().position(HEADER).limit(question.end()));
    int written = 0;
    for (int i = 0; i < answerCount; i++) {
      byte[] rdata = encodedPtr != null ? encodedPtr : addresses.get(i).getAddress();
      int type = encodedPtr != null ? TYPE_PTR : addresses.get(i) instanceof Inet4Address ? TYPE_A : TYPE_AAAA;
      if (out.position() + 12 + rdata.length > MAX_UDP) {
        out.putShort(flagsAt, (short) (out.getShort(flagsAt) | 0x0200)); // TC: the rest did not fit
        break;
      }
      out.putShort((short) 0xc00c); // the owner name: a pointer to the question's name
      out.putShort((short) type).putShort((short) CLASS_IN).putInt(0).putShort((short) rdata.length).put(rdata);
      written++;
    }
    out.putShort(6, (short) written);
    return out.flip();
  }

  private static byte[] encodeName(String name) {
    ByteBuffer b = ByteBuffer.allocate(name.length() + 2);
    for (String label : name.split("\\.", -1)) {
      byte[] bytes = label.getBytes(StandardCharsets.US_ASCII);
      b.put((byte) bytes.length).put(bytes);
    }
    b.put((byte) 0);
    byte[] out = new byte[b.position()];
    b.flip().get(out);
    return out;
  }

  /** What the server knows: names to addresses and back, as the asking endpoint sees them. */
  public interface Answers {
    /** The addresses of {@code name} (lower case, no final dot); empty if the name is unknown. */
    Optional<List<InetAddress>> addressesOf(String name);

    /** The name of {@code address}, if it is an endpoint the asker can see. */
    Optional<String> nameOf(InetAddress address);
  }
}
