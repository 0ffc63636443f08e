package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLA_HDRLEN;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLA_TYPE_MASK;
import static dev.nsunit.internal.netlink.NetlinkConstants.align;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The attributes (struct nlattr / rtattr) of one message or nested attribute, indexed by type.
 * Parsing validates every length; a later attribute of the same type replaces an earlier one,
 * as the kernel's own parser does.
 */
public final class Attributes {
  private static final int MAX_TYPE = 64;
  private static final Attributes EMPTY = new Attributes(null, new int[0]);

  /** The buffer the attributes live in (native order); read with absolute indexes only. */
  private final ByteBuffer buffer;
  /**
   * Per type, the payload's index in {@link #buffer} at {@code [2 * type]} (0 when absent: a
   * payload always follows a 4-byte header) and its length at {@code [2 * type + 1]}. Offsets
   * rather than one slice per attribute: decoders read a few of the dozens a message carries.
   */
  private final int[] where;

  private Attributes(ByteBuffer buffer, int[] where) {
    this.buffer = buffer;
    this.where = where;
  }

  /**
   * Parses a run of attributes covering all of {@code region} (position to limit). Types above 64
   * are skipped: no family nsunit reads uses them.
   */
  public static Attributes parse(ByteBuffer region) {
    ByteBuffer b = region.order() == ByteOrder.nativeOrder() ? region : region.duplicate().order(ByteOrder.nativeOrder());
    return parse(b, region.position(), region.limit());
  }

  /** Parses the attributes in {@code [from, to)} of {@code b}, which must be in native order. */
  static Attributes parse(ByteBuffer b, int from, int to) {
    int length = to - from;
    if (length == 0) {
      return EMPTY;
    }
    int[] where = new int[2 * (MAX_TYPE + 1)];
    int offset = 0;
    while (offset < length) {
      int remaining = length - offset;
      if (remaining < NLA_HDRLEN) {
        throw new NetlinkFormatException(remaining + " trailing bytes at attribute offset " + offset
            + " are shorter than a 4-byte nlattr header");
      }
      int attrLen = b.getShort(from + offset) & 0xffff;
      int type = b.getShort(from + offset + 2) & NLA_TYPE_MASK;
      if (attrLen < NLA_HDRLEN) {
        throw new NetlinkFormatException("nla_len " + attrLen + " of attribute type " + type
            + " at offset " + offset + " is smaller than its 4-byte header");
      }
      if (attrLen > remaining) {
        throw new NetlinkFormatException("nla_len " + attrLen + " of attribute type " + type
            + " at offset " + offset + " exceeds the " + remaining + " bytes left (truncated attribute)");
      }
      if (type <= MAX_TYPE) {
        where[2 * type] = from + offset + NLA_HDRLEN;
        where[2 * type + 1] = attrLen - NLA_HDRLEN;
      }
      offset += Math.min(align(attrLen), remaining);
    }
    return new Attributes(b, where);
  }

  /** Whether an attribute of this type is present. */
  public boolean has(int type) {
    return type >= 0 && 2 * type < where.length && where[2 * type] != 0;
  }

  /** The payload index of {@code type}, or 0 when absent. */
  private int offset(int type) {
    return type >= 0 && 2 * type < where.length ? where[2 * type] : 0;
  }

  /** The attribute's payload (native order, position 0), or {@code null} when absent. */
  public ByteBuffer get(int type) {
    int at = offset(type);
    return at == 0 ? null : buffer.slice(at, where[2 * type + 1]).order(ByteOrder.nativeOrder());
  }

  /** The offset of an attribute of at least {@code minLength} bytes, or 0 when absent. */
  private int require(int type, int minLength) {
    int at = offset(type);
    if (at != 0 && where[2 * type + 1] < minLength) {
      throw new NetlinkFormatException("attribute type " + type + " has " + where[2 * type + 1]
          + " bytes; at least " + minLength + " expected");
    }
    return at;
  }

  /** A NUL-terminated string attribute, or {@code null} when absent. */
  public String string(int type) {
    int at = offset(type);
    if (at == 0) {
      return null;
    }
    int limit = at + where[2 * type + 1];
    int end = at;
    while (end < limit && buffer.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - at];
    buffer.get(at, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A u32 attribute (native order), or {@code absent} when missing. */
  public int u32(int type, int absent) {
    int at = require(type, 4);
    return at == 0 ? absent : buffer.getInt(at);
  }

  /** A u8 attribute, or {@code absent} when missing. */
  public int u8(int type, int absent) {
    int at = require(type, 1);
    return at == 0 ? absent : buffer.get(at) & 0xff;
  }

  /** A u16 attribute in network byte order, or {@code absent} when missing. */
  public int be16(int type, int absent) {
    int at = require(type, 2);
    return at == 0 ? absent : ((buffer.get(at) & 0xff) << 8) | (buffer.get(at + 1) & 0xff);
  }

  /** The attribute's raw bytes, or {@code null} when absent. */
  public byte[] bytes(int type) {
    int at = offset(type);
    if (at == 0) {
      return null;
    }
    byte[] out = new byte[where[2 * type + 1]];
    buffer.get(at, out);
    return out;
  }

  /** An IPv4 or IPv6 address attribute (4 or 16 bytes), or {@code null} when absent. */
  public InetAddress address(int type) {
    byte[] raw = bytes(type);
    if (raw == null) {
      return null;
    }
    if (raw.length != 4 && raw.length != 16) {
      throw new NetlinkFormatException("address attribute type " + type + " has " + raw.length
          + " bytes; 4 or 16 expected");
    }
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // unreachable: the length is checked above
    }
  }

  /** The attributes nested inside attribute {@code type}; empty when absent. */
  public Attributes nested(int type) {
    int at = offset(type);
    return at == 0 ? EMPTY : parse(buffer, at, at + where[2 * type + 1]);
  }
}
