package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_INET;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_NETDEV;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_HOOK_DEV;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CHAIN_HOOK;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CHAIN_NAME;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CHAIN_POLICY;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CHAIN_TABLE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CHAIN_TYPE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_HOOK_HOOKNUM;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_HOOK_PRIORITY;
import static dev.nsunit.internal.netlink.NftConstants.NFT_MSG_NEWCHAIN;
import static dev.nsunit.internal.netlink.NftConstants.NF_ACCEPT;

/**
 * A base chain to add to an inet table (NFT_MSG_NEWCHAIN): one attached to a netfilter hook, of
 * a type and at a priority, with policy accept, so a packet no rule decides on goes on. Adding a
 * chain that exists with the same settings is not an error, as with {@code nft add}.
 *
 * <pre>{@code
 * nft.apply(NftChainRequest.base("nsunit", "forward", Type.FILTER, Hook.FORWARD, 0));
 * }</pre>
 */
public final class NftChainRequest implements NftRequest {
  /** The chain's type: which expressions its rules may use and what it does to a packet. */
  public enum Type {
    /** Filters packets (reject, drop, accept). */
    FILTER("filter"),
    /** Rewrites addresses of a connection's first packet (masquerade); needs CONFIG_NFT_NAT. */
    NAT("nat");

    private final String name;

    Type(String name) {
      this.name = name;
    }

    /** As nft spells it, and the kernel's NFTA_CHAIN_TYPE. */
    @Override
    public String toString() {
      return name;
    }
  }

  /** The netfilter hooks of the inet family (enum nf_inet_hooks). */
  public enum Hook {
    /** Every packet that arrives, before routing. */
    PREROUTING(NftConstants.NF_INET_PRE_ROUTING, "prerouting"),
    /** Packets for this namespace's own sockets. */
    INPUT(NftConstants.NF_INET_LOCAL_IN, "input"),
    /** Packets this namespace routes from one link to another. */
    FORWARD(NftConstants.NF_INET_FORWARD, "forward"),
    /** Packets this namespace's own sockets send. */
    OUTPUT(NftConstants.NF_INET_LOCAL_OUT, "output"),
    /** Every packet about to leave, after routing. */
    POSTROUTING(NftConstants.NF_INET_POST_ROUTING, "postrouting"),
    /** Netdev family: every frame the device receives, before anything else sees it. */
    INGRESS(NftConstants.NF_NETDEV_INGRESS, "ingress"),
    /** Netdev family: every frame the device is about to send, after its qdisc's classification. */
    EGRESS(NftConstants.NF_NETDEV_EGRESS, "egress");

    private final int number;
    private final String name;

    Hook(int number, String name) {
      this.number = number;
      this.name = name;
    }

    /** As nft spells it. */
    @Override
    public String toString() {
      return name;
    }
  }

  private final String table;
  private final String name;
  private final Type type;
  private final Hook hook;
  private final int priority;
  private final String device; // null: an inet chain

  private NftChainRequest(String table, String name, Type type, Hook hook, int priority, String device) {
    this.table = NftTableRequest.checkName("table", table);
    this.name = NftTableRequest.checkName("chain", name);
    this.type = type;
    this.hook = hook;
    this.priority = priority;
    this.device = device;
  }

  /**
   * A base chain with policy accept. Equivalent to:
   * {@code nft add chain inet TABLE NAME { type TYPE hook HOOK priority PRIORITY; policy accept; }}.
   */
  public static NftChainRequest base(String table, String name, Type type, Hook hook, int priority) {
    if (hook == Hook.INGRESS || hook == Hook.EGRESS) {
      throw new IllegalArgumentException("hook " + hook + " belongs to a netdev chain; use NftChainRequest.netdev");
    }
    return new NftChainRequest(table, name, type, hook, priority, null);
  }

  /**
   * A filter base chain of a netdev table on {@code device}'s ingress or egress, policy accept.
   * Equivalent to: {@code nft add chain netdev TABLE NAME { type filter hook HOOK device DEVICE
   * priority PRIORITY; policy accept; }}.
   */
  public static NftChainRequest netdev(String table, String name, Hook hook, String device, int priority) {
    if (hook != Hook.INGRESS && hook != Hook.EGRESS) {
      throw new IllegalArgumentException("a netdev chain hooks ingress or egress, not " + hook);
    }
    return new NftChainRequest(table, name, Type.FILTER, hook, priority, LinkRequest.checkName(device));
  }

  /** Sends the request alone in a batch on {@code nft} and waits for its ACK. */
  public void sendOn(Nftables nft) {
    nft.apply(this);
  }

  @Override
  public void writeTo(MessageBuilder m) {
    m.begin(NftConstants.type(NFT_MSG_NEWCHAIN), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE, this)
        .struct(NfGenMsg.of(device == null ? NFPROTO_INET : NFPROTO_NETDEV))
        .attrString(NFTA_CHAIN_TABLE, table)
        .attrString(NFTA_CHAIN_NAME, name);
    int h = m.beginNested(NFTA_CHAIN_HOOK);
    m.attrBe32(NFTA_HOOK_HOOKNUM, hook.number).attrBe32(NFTA_HOOK_PRIORITY, priority);
    if (device != null) {
      m.attrString(NFTA_HOOK_DEV, device);
    }
    m.endNested(h);
    m.attrBe32(NFTA_CHAIN_POLICY, NF_ACCEPT).attrString(NFTA_CHAIN_TYPE, type.name).end();
  }

  /** The nft command this request is equivalent to. */
  @Override
  public String toString() {
    return "nft add chain " + (device == null ? "inet " : "netdev ") + table + " " + name + " { type " + type
        + " hook " + hook + (device == null ? "" : " device " + device) + " priority " + priority + "; policy accept; }";
  }
}
