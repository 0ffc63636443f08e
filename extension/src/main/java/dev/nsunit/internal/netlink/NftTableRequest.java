package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_INET;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_NETDEV;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_TABLE_FLAGS;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_TABLE_NAME;
import static dev.nsunit.internal.netlink.NftConstants.NFT_MSG_DELTABLE;
import static dev.nsunit.internal.netlink.NftConstants.NFT_MSG_NEWTABLE;
import static dev.nsunit.internal.netlink.NftConstants.NFT_NAME_MAXLEN;

import java.nio.charset.StandardCharsets;

/**
 * An nf_tables table of family {@code inet} (IPv4 and IPv6 alike) to add (NFT_MSG_NEWTABLE) or
 * delete (NFT_MSG_DELTABLE). Adding a table that exists is not an error, as with {@code nft add}.
 *
 * <pre>{@code
 * nft.apply(NftTableRequest.add("nsunit"));
 * }</pre>
 */
public final class NftTableRequest implements NftRequest {
  private final String name;
  private final boolean delete;
  private final boolean netdev;

  private NftTableRequest(String name, boolean delete, boolean netdev) {
    this.name = checkName("table", name);
    this.delete = delete;
    this.netdev = netdev;
  }

  /** Equivalent to: {@code nft add table inet NAME}. */
  public static NftTableRequest add(String name) {
    return new NftTableRequest(name, false, false);
  }

  /** Deletes the table and everything in it. Equivalent to: {@code nft delete table inet NAME}. */
  public static NftTableRequest delete(String name) {
    return new NftTableRequest(name, true, false);
  }

  /**
   * A table of family {@code netdev}, whose chains hook one device's ingress or egress and see
   * whole frames. Equivalent to: {@code nft add table netdev NAME}.
   */
  public static NftTableRequest addNetdev(String name) {
    return new NftTableRequest(name, false, true);
  }

  /** Equivalent to: {@code nft delete table netdev NAME}. */
  public static NftTableRequest deleteNetdev(String name) {
    return new NftTableRequest(name, true, true);
  }

  /** Sends the request alone in a batch on {@code nft} and waits for its ACK. */
  public void sendOn(Nftables nft) {
    nft.apply(this);
  }

  @Override
  public void writeTo(MessageBuilder m) {
    if (delete) {
      m.begin(NftConstants.type(NFT_MSG_DELTABLE), NLM_F_REQUEST | NLM_F_ACK, this);
    } else {
      m.begin(NftConstants.type(NFT_MSG_NEWTABLE), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, this);
    }
    m.struct(NfGenMsg.of(netdev ? NFPROTO_NETDEV : NFPROTO_INET)).attrString(NFTA_TABLE_NAME, name);
    if (!delete) {
      m.attrBe32(NFTA_TABLE_FLAGS, 0);
    }
    m.end();
  }

  /** The nft command this request is equivalent to. */
  @Override
  public String toString() {
    return "nft " + (delete ? "delete" : "add") + " table " + (netdev ? "netdev " : "inet ") + name;
  }

  /** Validates a table or chain name: 1 to 255 bytes of UTF-8, no NUL. */
  static String checkName(String what, String name) {
    if (name == null || name.isEmpty() || name.indexOf('\0') >= 0
        || name.getBytes(StandardCharsets.UTF_8).length >= NFT_NAME_MAXLEN) {
      throw new IllegalArgumentException("\"" + name + "\" is not a valid nf_tables " + what + " name: use 1 to "
          + (NFT_NAME_MAXLEN - 1) + " bytes without NUL");
    }
    return name;
  }
}
