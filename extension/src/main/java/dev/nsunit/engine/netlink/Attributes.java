package dev.nsunit.engine.netlink;

import static dev.nsunit.engine.netlink.NetlinkConstants.NLA_HDRLEN;
import static dev.nsunit.engine.netlink.NetlinkConstants.NLA_TYPE_MASK;
import static dev.nsunit.engine.netlink.NetlinkConstants.align;

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
  private static final Attributes EMPTY = new Attributes(new ByteBuffer[0]);

  private final ByteBuffer[] byType;

  private Attributes(ByteBuffer[] byType) {
    this.byType = byType;
  }

  /**
   * Parses a run of attributes covering all of {@code region} (position to limit). Types above 64
   * are skipped: no family nsunit reads uses them.
   */
  public static Attributes parse(ByteBuffer region) {
    ByteBuffer b = region.slice().order(ByteOrder.nativeOrder());
    int length = b.limit();
    if (length == 0) {
      return EMPTY;
    }
    ByteBuffer[] byType = new ByteBuffer[MAX_TYPE + 1];
    int offset = 0;
    while (offset < length) {
      int remaining = length - offset;
      if (remaining < NLA_HDRLEN) {
        throw new NetlinkFormatException(remaining + " trailing bytes at attribute offset " + offset
            + " are shorter than a 4-byte nlattr header");
      }
      int attrLen = b.getShort(offset) & 0xffff;
      int type = b.getShort(offset + 2) & NLA_TYPE_MASK;
      if (attrLen < NLA_HDRLEN) {
        throw new NetlinkFormatException("nla_len " + attrLen + " of attribute type " + type
            + " at offset " + offset + " is smaller than its 4-byte header");
      }
      if (attrLen > remaining) {
        throw new NetlinkFormatException("nla_len " + attrLen + " of attribute type " + type
            + " at offset " + offset + " exceeds the " + remaining + " bytes left (truncated attribute)");
      }
      if (type <= MAX_TYPE) {
        byType[type] = b.slice(offset + NLA_HDRLEN, attrLen - NLA_HDRLEN).order(ByteOrder.nativeOrder());
      }
      offset += Math.min(align(attrLen), remaining);
    }
    return new Attributes(byType);
  }

  /** Whether an attribute of this type is present. */
  public boolean has(int type) {
    return type < byType.length && byType[type] != null;
  }

  /** The attribute's payload (native order, position 0), or {@code null} when absent. */
  public ByteBuffer get(int type) {
    return type < byType.length ? byType[type] : null;
  }

  private ByteBuffer require(int type, int minLength) {
    ByteBuffer v = get(type);
    if (v != null && v.limit() < minLength) {
      throw new NetlinkFormatException("attribute type " + type + " has " + v.limit()
          + " bytes; at least " + minLength + " expected");
    }
    return v;
  }

  /** A NUL-terminated string attribute, or {@code null} when absent. */
  public String string(int type) {
    ByteBuffer v = get(type);
    if (v == null) {
      return null;
    }
    int end = 0;
    while (end < v.limit() && v.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end];
    v.get(0, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** A u32 attribute (native order), or {@code absent} when missing. */
  public int u32(int type, int absent) {
    ByteBuffer v = require(type, 4);
    return v == null ? absent : v.getInt(0);
  }

  /** A u8 attribute, or {@code absent} when missing. */
  public int u8(int type, int absent) {
    ByteBuffer v = require(type, 1);
    return v == null ? absent : v.get(0) & 0xff;
  }

  /** A u16 attribute in network byte order, or {@code absent} when missing. */
  public int be16(int type, int absent) {
    ByteBuffer v = require(type, 2);
    return v == null ? absent : ((v.get(0) & 0xff) << 8) | (v.get(1) & 0xff);
  }

  /** The attribute's raw bytes, or {@code null} when absent. */
  public byte[] bytes(int type) {
    ByteBuffer v = get(type);
    if (v == null) {
      return null;
    }
    byte[] out = new byte[v.limit()];
    v.get(0, out);
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
    ByteBuffer v = get(type);
    return v == null ? EMPTY : parse(v);
  }
}
