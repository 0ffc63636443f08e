package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_ADDRESS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_BROADCAST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_FLAGS;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LABEL;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFA_LOCAL;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWADDR;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.Address;
import java.net.InetAddress;
import java.util.Map;

/** Decoding of RTM_NEWADDR messages. */
final class AddressCodec {
  private AddressCodec() {}

  static Address decode(Message m, Map<Integer, String> names) {
    if (m.type() != RTM_NEWADDR) {
      throw new NetlinkFormatException("expected RTM_NEWADDR, got " + m);
    }
    m.requirePayload(IfAddrMsg.SIZE);
    IfAddrMsg header = IfAddrMsg.read(m.payload());
    int index = header.index();
    Attributes a = m.attributes(IfAddrMsg.SIZE);
    InetAddress address = header.family() == Libc.AF_INET && a.has(IFA_LOCAL)
        ? a.address(IFA_LOCAL) : a.address(IFA_ADDRESS);
    if (address == null) {
      throw new NetlinkFormatException("RTM_NEWADDR for ifindex " + index + " carries no address");
    }
    return Address.builder()
        .index(index).interfaceName(nameOf(index, names)).address(address).prefixLength(header.prefixLength())
        .broadcast(a.address(IFA_BROADCAST)).scope(header.scope()).flags(a.u32(IFA_FLAGS, header.flags()))
        .label(a.string(IFA_LABEL))
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
