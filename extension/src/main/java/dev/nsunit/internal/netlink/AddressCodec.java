package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFADDRMSG_LEN;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_FLAGS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LABEL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Map;

/** Decoding of RTM_NEWADDR messages. */
final class AddressCodec {
  private AddressCodec() {}

  static Address decode(Message m, Map<Integer, String> names) {
    if (m.type() != RTM_NEWADDR) {
      throw new NetlinkFormatException("expected RTM_NEWADDR, got " + m);
    }
    m.requirePayload(IFADDRMSG_LEN);
    ByteBuffer p = m.payload();
    int family = p.get(0) & 0xff;
    int prefixLength = p.get(1) & 0xff;
    int flags = p.get(2) & 0xff;
    int scope = p.get(3) & 0xff;
    int index = p.getInt(4);
    Attributes a = m.attributes(IFADDRMSG_LEN);
    InetAddress address = family == Libc.AF_INET && a.has(IFA_LOCAL) ? a.address(IFA_LOCAL) : a.address(IFA_ADDRESS);
    if (address == null) {
      throw new NetlinkFormatException("RTM_NEWADDR for ifindex " + index + " carries no address");
    }
    return Address.builder()
        .index(index).interfaceName(nameOf(index, names)).address(address).prefixLength(prefixLength)
        .broadcast(a.address(IFA_BROADCAST)).scope(scope).flags(a.u32(IFA_FLAGS, flags)).label(a.string(IFA_LABEL))
        .build();
  }

  /**
   * The name of interface {@code index}, or {@code if<index>} as iproute2 writes it when the
   * interface is not in {@code names} (it vanished between the dumps).
   */
  static String nameOf(int index, Map<Integer, String> names) {
    String name = names.get(index);
    return name != null ? name : "if" + index;
  }
}
