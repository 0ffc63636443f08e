package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_DST;
import static dev.nsunit.internal.netlink.NetlinkConstants.NDA_LLADDR;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWNEIGH;

import dev.nsunit.model.Neighbour;
import java.net.InetAddress;
import java.util.Map;

/** Decoding of RTM_NEWNEIGH messages. */
final class NeighbourCodec {
  private NeighbourCodec() {}

  /** Decodes an entry, or returns {@code null} for one without an IP address (bridge FDB). */
  static Neighbour decode(Message m, Map<Integer, String> names) {
    if (m.type() != RTM_NEWNEIGH) {
      throw new NetlinkFormatException("expected RTM_NEWNEIGH, got " + m);
    }
    m.requirePayload(NdMsg.SIZE);
    NdMsg header = NdMsg.read(m.payload());
    int index = header.index();
    Attributes a = m.attributes(NdMsg.SIZE);
    byte[] dst = a.bytes(NDA_DST);
    if (dst == null || (dst.length != 4 && dst.length != 16)) {
      return null;
    }
    InetAddress address = a.address(NDA_DST);
    return Neighbour.builder()
        .address(address).index(index).dev(AddressCodec.nameOf(index, names)).mac(LinkCodec.mac(a.bytes(NDA_LLADDR))).state(header.state())
        .build();
  }
}
