package dev.nsunit.internal.netlink;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.IpPrefix;
import java.nio.ByteBuffer;

/**
 * {@code struct ifaddrmsg} (linux/if_addr.h), the fixed part of RTM_NEWADDR, RTM_DELADDR and
 * RTM_GETADDR messages.
 *
 * <pre>{@code
 * m.begin(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, "ip addr show").struct(IfAddrMsg.dump()).end();
 * }</pre>
 *
 * @param family ifa_family (u8), AF_INET or AF_INET6; AF_UNSPEC in a dump of both
 * @param prefixLength ifa_prefixlen (u8)
 * @param flags ifa_flags (u8), the low IFA_F_* bits; IFA_FLAGS carries all 32
 * @param scope ifa_scope (u8), RT_SCOPE_*
 * @param index ifa_index, the interface's ifindex
 */
public record IfAddrMsg(int family, int prefixLength, int flags, int scope, int index) implements KernelStruct {
  /** {@code sizeof(struct ifaddrmsg)}. */
  public static final int SIZE = 8;

  private static final IfAddrMsg DUMP = new IfAddrMsg(0, 0, 0, 0, 0);

  /** Checks that the u8 fields fit. */
  public IfAddrMsg {
    Structs.u8("ifa_family", family);
    Structs.u8("ifa_prefixlen", prefixLength);
    Structs.u8("ifa_flags", flags);
    Structs.u8("ifa_scope", scope);
  }

  /** Every address of every family and interface, for a dump. */
  public static IfAddrMsg dump() {
    return DUMP;
  }

  /**
   * {@code address} on interface {@code index}: family and prefix length come from the prefix.
   *
   * @param flags the IFA_F_* bits that fit in ifa_flags
   * @param scope RT_SCOPE_*
   */
  public static IfAddrMsg of(int index, IpPrefix address, int flags, int scope) {
    return new IfAddrMsg(address.isIpv6() ? Libc.AF_INET6 : Libc.AF_INET, address.length(), flags, scope, index);
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static IfAddrMsg read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "ifaddrmsg");
    int at = b.position();
    return new IfAddrMsg(n.get(at) & 0xff, n.get(at + 1) & 0xff, n.get(at + 2) & 0xff, n.get(at + 3) & 0xff,
        n.getInt(at + 4));
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
  }
}
