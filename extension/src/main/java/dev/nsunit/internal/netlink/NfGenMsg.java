package dev.nsunit.internal.netlink;

import java.nio.ByteBuffer;

/**
 * {@code struct nfgenmsg} (linux/netfilter/nfnetlink.h), the fixed part of every nfnetlink
 * message: nf_tables requests, their replies, and the batch that frames them.
 *
 * <pre>{@code
 * m.begin(NftConstants.type(NFT_MSG_NEWTABLE), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, "nft add table inet nsunit")
 *     .struct(NfGenMsg.of(NFPROTO_INET)).attrString(NFTA_TABLE_NAME, "nsunit").end();
 * }</pre>
 *
 * @param family nfgen_family (u8), the NFPROTO_* family the request is about; AF_UNSPEC in a batch's framing
 * @param version version (u8), always NFNETLINK_V0
 * @param resourceId res_id (u16, network byte order on the wire): the subsystem a batch is for
 *     (NFNL_SUBSYS_NFTABLES); 0 in the requests inside it
 */
public record NfGenMsg(int family, int version, int resourceId) implements KernelStruct {
  /** {@code sizeof(struct nfgenmsg)}. */
  public static final int SIZE = 4;
  /** {@code NFNETLINK_V0}, the only version there is. */
  public static final int NFNETLINK_V0 = 0;

  /** Checks that the u8 and u16 fields fit. */
  public NfGenMsg {
    Structs.u8("nfgen_family", family);
    Structs.u8("version", version);
    Structs.u16("res_id", resourceId);
  }

  /** A request about {@code family}: version NFNETLINK_V0, res_id 0. */
  public static NfGenMsg of(int family) {
    return new NfGenMsg(family, NFNETLINK_V0, 0);
  }

  /** The fixed part of NFNL_MSG_BATCH_BEGIN and _END: AF_UNSPEC, for subsystem {@code subsystem}. */
  public static NfGenMsg batch(int subsystem) {
    return new NfGenMsg(0, NFNETLINK_V0, subsystem);
  }

  /**
   * Reads the struct at {@code b}'s position (which does not move).
   *
   * @throws NetlinkFormatException if fewer than {@link #SIZE} bytes remain
   */
  public static NfGenMsg read(ByteBuffer b) {
    ByteBuffer n = Structs.fixedPart(b, SIZE, "nfgenmsg");
    int at = b.position();
    return new NfGenMsg(n.get(at) & 0xff, n.get(at + 1) & 0xff, ((n.get(at + 2) & 0xff) << 8) | (n.get(at + 3) & 0xff));
  }

  @Override
  public int size() {
    return SIZE;
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.u8(family).u8(version).be16(resourceId);
  }
}
