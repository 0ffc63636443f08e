package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_INET;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_CHAIN;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_HANDLE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_TABLE;
import static dev.nsunit.internal.netlink.NftConstants.NFT_MSG_DELRULE;

/**
 * Deletes rules of a chain of an inet table (NFT_MSG_DELRULE): the one with a handle, or, with no
 * handle, every rule, which leaves the chain itself (its hook and policy) in place.
 *
 * <pre>{@code
 * nft.apply(NftDeleteRuleRequest.flush("nsunit", "forward"));
 * }</pre>
 */
public final class NftDeleteRuleRequest implements NftRequest {
  private final String table;
  private final String chain;
  private final long handle; // 0: every rule (the kernel never hands out handle 0)

  private NftDeleteRuleRequest(String table, String chain, long handle) {
    this.table = NftTableRequest.checkName("table", table);
    this.chain = NftTableRequest.checkName("chain", chain);
    this.handle = handle;
  }

  /**
   * Deletes the rule with {@code handle} (as {@link NftRuleRequest#sendOn} returned it).
   * Equivalent to: {@code nft delete rule inet TABLE CHAIN handle HANDLE}.
   */
  public static NftDeleteRuleRequest handle(String table, String chain, long handle) {
    if (handle <= 0) {
      throw new IllegalArgumentException("a rule handle is 1 or more, not " + handle);
    }
    return new NftDeleteRuleRequest(table, chain, handle);
  }

  /** Deletes every rule of the chain. Equivalent to: {@code nft flush chain inet TABLE CHAIN}. */
  public static NftDeleteRuleRequest flush(String table, String chain) {
    return new NftDeleteRuleRequest(table, chain, 0);
  }

  /** Sends the request alone in a batch on {@code nft} and waits for its ACK. */
  public void sendOn(Nftables nft) {
    nft.apply(this);
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.begin(NftConstants.type(NFT_MSG_DELRULE), NLM_F_REQUEST | NLM_F_ACK, this)
        .struct(NfGenMsg.of(NFPROTO_INET))
        .attrString(NFTA_RULE_TABLE, table)
        .attrString(NFTA_RULE_CHAIN, chain);
    if (handle != 0) {
      m.attrBe64(NFTA_RULE_HANDLE, handle);
    }
    m.end();
  }

  /** The nft command this request is equivalent to. */
  @Override
  public String toString() {
    return handle == 0 ? "nft flush chain inet " + table + " " + chain
        : "nft delete rule inet " + table + " " + chain + " handle " + handle;
  }
}
