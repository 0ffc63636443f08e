package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Checks shared by the {@link KernelStruct} records. */
final class Structs {
  private Structs() {}

  /**
   * {@code b} in native order (a view if it was not), after checking that a struct of
   * {@code size} bytes starts at its position; the position is not moved.
   */
  static ByteBuffer fixedPart(ByteBuffer b, int size, String struct) {
    if (b.remaining() < size) {
      throw new NetlinkFormatException("struct " + struct + " needs " + size + " bytes; " + b.remaining()
          + " remain");
    }
    return b.order() == ByteOrder.nativeOrder() ? b : b.duplicate().order(ByteOrder.nativeOrder());
  }

  /** Requires {@code value} to fit the u8 field {@code field}. */
  static int u8(String field, int value) {
    if ((value & ~0xff) != 0) {
      throw new IllegalArgumentException(field + " " + value + " does not fit its u8 field (0..255)");
    }
    return value;
  }

  /** Requires {@code value} to fit the u16 field {@code field}. */
  static int u16(String field, int value) {
    if ((value & ~0xffff) != 0) {
      throw new IllegalArgumentException(field + " " + value + " does not fit its u16 field (0..65535)");
    }
    return value;
  }
}
