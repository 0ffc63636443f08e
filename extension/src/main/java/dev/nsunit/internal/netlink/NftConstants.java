package dev.nsunit.internal.netlink;

/**
 * Kernel constants from linux/netfilter/nfnetlink.h, linux/netfilter/nf_tables.h and
 * linux/netfilter.h: the ones nsunit's nf_tables requests use, names kept verbatim. Integer
 * attributes of nf_tables are big-endian ({@link MessageBuilder#attrBe32}).
 */
public final class NftConstants {
  private NftConstants() {}

  // linux/netfilter/nfnetlink.h
  public static final int NFNL_SUBSYS_NFTABLES = 10;
  /** {@code NLMSG_MIN_TYPE}: the first message type that is not netlink's own. */
  public static final int NFNL_MSG_BATCH_BEGIN = 0x10;
  public static final int NFNL_MSG_BATCH_END = 0x11;

  // linux/netfilter.h
  public static final int NFPROTO_INET = 1;
  public static final int NFPROTO_IPV4 = 2;
  public static final int NFPROTO_NETDEV = 5;
  public static final int NF_DROP = 0;
  public static final int NF_ACCEPT = 1;
  public static final int NF_INET_PRE_ROUTING = 0;
  public static final int NF_INET_LOCAL_IN = 1;
  public static final int NF_INET_FORWARD = 2;
  public static final int NF_INET_LOCAL_OUT = 3;
  public static final int NF_INET_POST_ROUTING = 4;
  public static final int NF_NETDEV_INGRESS = 0;
  public static final int NF_NETDEV_EGRESS = 1;
  /** {@code NFTA_HOOK_DEV} from enum nft_hook_attributes: the device a netdev base chain hooks. */
  public static final int NFTA_HOOK_DEV = 3;
  /** {@code NFT_META_PROTOCOL}: the frame's EtherType (be16). */
  public static final int NFT_META_PROTOCOL = 1;
  /** {@code ETH_P_ARP} from linux/if_ether.h. */
  public static final int ETH_P_ARP = 0x0806;

  // enum nf_tables_msg_types
  public static final int NFT_MSG_NEWTABLE = 0;
  public static final int NFT_MSG_DELTABLE = 2;
  public static final int NFT_MSG_NEWCHAIN = 3;
  public static final int NFT_MSG_NEWRULE = 6;
  public static final int NFT_MSG_DELRULE = 8;

  // enum nft_table_attributes
  public static final int NFTA_TABLE_NAME = 1;
  public static final int NFTA_TABLE_FLAGS = 2;

  // enum nft_chain_attributes, enum nft_hook_attributes
  public static final int NFTA_CHAIN_TABLE = 1;
  public static final int NFTA_CHAIN_NAME = 3;
  public static final int NFTA_CHAIN_HOOK = 4;
  public static final int NFTA_CHAIN_POLICY = 5;
  public static final int NFTA_CHAIN_TYPE = 7;
  public static final int NFTA_HOOK_HOOKNUM = 1;
  public static final int NFTA_HOOK_PRIORITY = 2;

  // enum nft_rule_attributes, enum nft_list_attributes, enum nft_expr_attributes
  public static final int NFTA_RULE_TABLE = 1;
  public static final int NFTA_RULE_CHAIN = 2;
  public static final int NFTA_RULE_HANDLE = 3;
  public static final int NFTA_RULE_EXPRESSIONS = 4;
  public static final int NFTA_LIST_ELEM = 1;
  public static final int NFTA_EXPR_NAME = 1;
  public static final int NFTA_EXPR_DATA = 2;

  // enum nft_registers
  public static final int NFT_REG_VERDICT = 0;
  public static final int NFT_REG_1 = 1;

  // enum nft_data_attributes, enum nft_verdict_attributes
  public static final int NFTA_DATA_VALUE = 1;
  public static final int NFTA_DATA_VERDICT = 2;
  public static final int NFTA_VERDICT_CODE = 1;

  // meta: enum nft_meta_attributes, enum nft_meta_keys
  public static final int NFTA_META_DREG = 1;
  public static final int NFTA_META_KEY = 2;
  public static final int NFT_META_IIFNAME = 6;
  public static final int NFT_META_OIFNAME = 7;
  public static final int NFT_META_NFPROTO = 15;
  public static final int NFT_META_L4PROTO = 16;

  // cmp: enum nft_cmp_attributes, enum nft_cmp_ops
  public static final int NFTA_CMP_SREG = 1;
  public static final int NFTA_CMP_OP = 2;
  public static final int NFTA_CMP_DATA = 3;
  public static final int NFT_CMP_EQ = 0;
  public static final int NFT_CMP_NEQ = 1;
  public static final int NFT_CMP_LT = 2;

  // numgen: enum nft_ng_attributes, enum nft_ng_types
  public static final int NFTA_NG_DREG = 1;
  public static final int NFTA_NG_MODULUS = 2;
  public static final int NFTA_NG_TYPE = 3;
  public static final int NFT_NG_RANDOM = 1;

  // byteorder: enum nft_byteorder_attributes, enum nft_byteorder_ops
  public static final int NFTA_BYTEORDER_SREG = 1;
  public static final int NFTA_BYTEORDER_DREG = 2;
  public static final int NFTA_BYTEORDER_OP = 3;
  public static final int NFTA_BYTEORDER_LEN = 4;
  public static final int NFTA_BYTEORDER_SIZE = 5;
  public static final int NFT_BYTEORDER_HTON = 1;

  // payload: enum nft_payload_attributes, enum nft_payload_bases
  public static final int NFTA_PAYLOAD_DREG = 1;
  public static final int NFTA_PAYLOAD_BASE = 2;
  public static final int NFTA_PAYLOAD_OFFSET = 3;
  public static final int NFTA_PAYLOAD_LEN = 4;
  public static final int NFT_PAYLOAD_NETWORK_HEADER = 1;

  // bitwise: enum nft_bitwise_attributes
  public static final int NFTA_BITWISE_SREG = 1;
  public static final int NFTA_BITWISE_DREG = 2;
  public static final int NFTA_BITWISE_LEN = 3;
  public static final int NFTA_BITWISE_MASK = 4;
  public static final int NFTA_BITWISE_XOR = 5;

  // immediate: enum nft_immediate_attributes
  public static final int NFTA_IMMEDIATE_DREG = 1;
  public static final int NFTA_IMMEDIATE_DATA = 2;

  // reject: enum nft_reject_attributes, enum nft_reject_types, enum nft_reject_inet_code
  public static final int NFTA_REJECT_TYPE = 1;
  public static final int NFTA_REJECT_ICMP_CODE = 2;
  public static final int NFT_REJECT_TCP_RST = 1;
  public static final int NFT_REJECT_ICMPX_UNREACH = 2;
  public static final int NFT_REJECT_ICMPX_NO_ROUTE = 0;
  public static final int NFT_REJECT_ICMPX_PORT_UNREACH = 1;
  public static final int NFT_REJECT_ICMPX_HOST_UNREACH = 2;
  public static final int NFT_REJECT_ICMPX_ADMIN_PROHIBITED = 3;

  /** {@code IFNAMSIZ}: an interface name compared by meta iifname/oifname is this many bytes, NUL-padded. */
  public static final int IFNAMSIZ = 16;
  /** {@code NFT_NAME_MAXLEN}: a table or chain name has at most one byte less (its NUL). */
  public static final int NFT_NAME_MAXLEN = 256;

  /** The nlmsg_type of nf_tables message {@code msg}: {@code NFNL_SUBSYS_NFTABLES << 8 | msg}. */
  public static int type(int msg) {
    return NFNL_SUBSYS_NFTABLES << 8 | msg;
  }
}
