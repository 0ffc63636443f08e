package dev.nsunit.internal.netlink;

/**
 * One nf_tables request, sent inside a batch by {@link Nftables#apply}: the requests of one batch
 * take effect together or not at all. Each names the {@code nft} command it is equivalent to in
 * its {@code toString()}, which is also how an error names it.
 */
public sealed interface NftRequest permits NftTableRequest, NftChainRequest, NftRuleRequest, NftDeleteRuleRequest {
  /**
   * Appends this request's one message (header with NLM_F_ACK, {@link NfGenMsg}, attributes) to
   * the batch {@code m} is building.
   */
  void writeTo(MessageBuilder m);
}
