package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_APPEND;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ECHO;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.IPPROTO_TCP;
import static dev.nsunit.internal.netlink.NftConstants.IFNAMSIZ;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_INET;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_IPV4;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BITWISE_DREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BITWISE_LEN;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BITWISE_MASK;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BITWISE_SREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BITWISE_XOR;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CMP_DATA;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CMP_OP;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_CMP_SREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_DATA_VALUE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_DATA_VERDICT;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_EXPR_DATA;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_EXPR_NAME;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_IMMEDIATE_DATA;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_IMMEDIATE_DREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_LIST_ELEM;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_META_DREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_META_KEY;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_PAYLOAD_BASE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_PAYLOAD_DREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_PAYLOAD_LEN;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_PAYLOAD_OFFSET;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_REJECT_ICMP_CODE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_REJECT_TYPE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_CHAIN;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_EXPRESSIONS;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_RULE_TABLE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_VERDICT_CODE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BYTEORDER_DREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BYTEORDER_LEN;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BYTEORDER_OP;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BYTEORDER_SIZE;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_BYTEORDER_SREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_NG_DREG;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_NG_MODULUS;
import static dev.nsunit.internal.netlink.NftConstants.NFTA_NG_TYPE;
import static dev.nsunit.internal.netlink.NftConstants.NFT_BYTEORDER_HTON;
import static dev.nsunit.internal.netlink.NftConstants.NFT_CMP_EQ;
import static dev.nsunit.internal.netlink.NftConstants.NFT_CMP_LT;
import static dev.nsunit.internal.netlink.NftConstants.NFT_CMP_NEQ;
import static dev.nsunit.internal.netlink.NftConstants.NFT_META_PROTOCOL;
import static dev.nsunit.internal.netlink.NftConstants.ETH_P_ARP;
import static dev.nsunit.internal.netlink.NftConstants.NFPROTO_NETDEV;
import static dev.nsunit.internal.netlink.NftConstants.NFT_NG_RANDOM;
import static dev.nsunit.internal.netlink.NftConstants.NFT_META_IIFNAME;
import static dev.nsunit.internal.netlink.NftConstants.NFT_META_L4PROTO;
import static dev.nsunit.internal.netlink.NftConstants.NFT_META_NFPROTO;
import static dev.nsunit.internal.netlink.NftConstants.NFT_META_OIFNAME;
import static dev.nsunit.internal.netlink.NftConstants.NFT_MSG_NEWRULE;
import static dev.nsunit.internal.netlink.NftConstants.NFT_PAYLOAD_NETWORK_HEADER;
import static dev.nsunit.internal.netlink.NftConstants.NFT_REG_1;
import static dev.nsunit.internal.netlink.NftConstants.NFT_REG_VERDICT;
import static dev.nsunit.internal.netlink.NftConstants.NFT_REJECT_ICMPX_UNREACH;
import static dev.nsunit.internal.netlink.NftConstants.NFT_REJECT_TCP_RST;
import static dev.nsunit.internal.netlink.NftConstants.NF_ACCEPT;
import static dev.nsunit.internal.netlink.NftConstants.NF_DROP;

import dev.nsunit.model.IpPrefix;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A rule to append to a chain of an inet table (NFT_MSG_NEWRULE), built statement by statement
 * as nft reads: matches first, then at most one final statement (a verdict, reject or
 * masquerade). Each statement is compiled to the expressions {@code nft} itself would send:
 * {@code iifname "eth0"} is {@code meta load iifname => reg 1; cmp eq reg 1 "eth0"}, and
 * {@code ip saddr 10.0.0.0/8} is {@code meta load nfproto => reg 1; cmp eq reg 1 ipv4} (the
 * guard the inet family needs) then {@code payload load 4b @ network header + 12 => reg 1;
 * bitwise reg 1 = (reg 1 & 255.0.0.0) ^ 0; cmp eq reg 1 10.0.0.0}. The request asks for an echo
 * (NLM_F_ECHO), from which {@link Nftables#apply} returns the new rule's handle.
 *
 * <pre>{@code
 * long handle = NftRuleRequest.append("nsunit", "forward").reject(IcmpxCode.HOST_UNREACHABLE).sendOn(nft);
 * }</pre>
 */
public final class NftRuleRequest implements NftRequest {
  /** The ICMP error a {@code reject with icmpx} answers with, for IPv4 and IPv6 alike. */
  public enum IcmpxCode {
    /** Network unreachable (IPv4), no route (IPv6): the sender's connect fails with ENETUNREACH. */
    NO_ROUTE(NftConstants.NFT_REJECT_ICMPX_NO_ROUTE, "no-route"),
    /** Port unreachable: the sender's connect fails with ECONNREFUSED. */
    PORT_UNREACHABLE(NftConstants.NFT_REJECT_ICMPX_PORT_UNREACH, "port-unreachable"),
    /** Host unreachable (IPv4), address unreachable (IPv6): connect fails with EHOSTUNREACH. */
    HOST_UNREACHABLE(NftConstants.NFT_REJECT_ICMPX_HOST_UNREACH, "host-unreachable"),
    /** Administratively prohibited: connect fails with EHOSTUNREACH (IPv4) or EACCES (IPv6). */
    ADMIN_PROHIBITED(NftConstants.NFT_REJECT_ICMPX_ADMIN_PROHIBITED, "admin-prohibited");

    private final int code;
    private final String name;

    IcmpxCode(int code, String name) {
      this.code = code;
      this.name = name;
    }

    /** As nft spells it. */
    @Override
    public String toString() {
      return name;
    }
  }

  /** One nft statement: its text and the expressions it compiles to. */
  private record Statement(String text, Consumer<MessageBuilder> expressions, boolean last) {}

  /** The modulus of {@link #randomFraction}: a loss is set to 0.01 %. */
  static final int RANDOM_MODULUS = 10_000;

  private final String table;
  private final String chain;
  private final List<Statement> statements = new ArrayList<>();
  private final boolean netdev;
  private boolean ipv4Guarded;

  private NftRuleRequest(String table, String chain, boolean netdev) {
    this.table = NftTableRequest.checkName("table", table);
    this.chain = NftTableRequest.checkName("chain", chain);
    this.netdev = netdev;
  }

  /** A rule to append to {@code chain}: {@code nft add rule inet TABLE CHAIN ...}. */
  public static NftRuleRequest append(String table, String chain) {
    return new NftRuleRequest(table, chain, false);
  }

  /** A rule to append to a chain of a netdev table: {@code nft add rule netdev TABLE CHAIN ...}. */
  public static NftRuleRequest appendNetdev(String table, String chain) {
    return new NftRuleRequest(table, chain, true);
  }

  /**
   * Matches every frame but ARP: {@code meta protocol != arp}, which nft compiles to {@code meta
   * load protocol => reg 1; cmp neq reg 1 0x0806}.
   */
  public NftRuleRequest notArp() {
    return add("meta protocol != arp", m -> {
      meta(m, NFT_META_PROTOCOL);
      expression(m, "cmp", d -> {
        d.attrBe32(NFTA_CMP_SREG, NFT_REG_1).attrBe32(NFTA_CMP_OP, NFT_CMP_NEQ);
        value(d, NFTA_CMP_DATA, new byte[] {(byte) (ETH_P_ARP >>> 8), (byte) ETH_P_ARP});
      });
    }, false);
  }

  // ---- matches ----

  /** Matches packets that arrived on the interface {@code name}: {@code iifname "NAME"}. */
  public NftRuleRequest iifname(String name) {
    return interfaceName(NFT_META_IIFNAME, "iifname", name);
  }

  /** Matches packets about to leave through the interface {@code name}: {@code oifname "NAME"}. */
  public NftRuleRequest oifname(String name) {
    return interfaceName(NFT_META_OIFNAME, "oifname", name);
  }

  private NftRuleRequest interfaceName(int key, String keyword, String name) {
    byte[] padded = new byte[IFNAMSIZ];
    byte[] raw = LinkRequest.checkName(name).getBytes(StandardCharsets.UTF_8);
    System.arraycopy(raw, 0, padded, 0, raw.length);
    return add(keyword + " \"" + name + "\"", m -> {
      meta(m, key);
      cmpEq(m, padded);
    }, false);
  }

  /** Matches IPv4 packets from {@code prefix}: {@code ip saddr PREFIX}. */
  public NftRuleRequest ipSaddr(IpPrefix prefix) {
    return ipAddress("saddr", 12, prefix);
  }

  /** Matches IPv4 packets to {@code prefix}: {@code ip daddr PREFIX}. */
  public NftRuleRequest ipDaddr(IpPrefix prefix) {
    return ipAddress("daddr", 16, prefix);
  }

  private NftRuleRequest ipAddress(String field, int offset, IpPrefix prefix) {
    if (netdev) {
      throw new IllegalStateException("ip " + field + " is for inet chains here; a netdev chain sees frames of every protocol");
    }
    if (prefix.isIpv6()) {
      throw new IllegalArgumentException("ip " + field + " takes an IPv4 prefix, not " + prefix);
    }
    if (!prefix.isNetwork()) {
      throw new IllegalArgumentException("ip " + field + " " + prefix + " has host bits set; did you mean "
          + new IpPrefix(prefix.network(), prefix.length()) + "?");
    }
    boolean guard = !ipv4Guarded;
    ipv4Guarded = true;
    byte[] address = prefix.address().getAddress();
    int bits = prefix.length();
    byte[] mask = new byte[4];
    for (int i = 0; i < 4; i++) {
      int inByte = Math.max(0, Math.min(8, bits - 8 * i));
      mask[i] = (byte) (0xff00 >>> inByte);
    }
    return add("ip " + field + " " + prefix, m -> {
      if (guard) { // the inet family sees IPv6 too: only an IPv4 header has the address at this offset
        meta(m, NFT_META_NFPROTO);
        cmpEq(m, new byte[] {(byte) NFPROTO_IPV4});
      }
      payload(m, offset, 4);
      if (bits < 32) {
        bitwise(m, mask);
      }
      cmpEq(m, address);
    }, false);
  }

  /**
   * Matches a random {@code fraction} of packets, drawn afresh for each: {@code numgen random mod
   * 10000 < N} with N = fraction &times; 10000, which nft compiles to {@code numgen reg 1 = random
   * mod 10000; byteorder reg 1 = hton(reg 1, 4, 4); cmp lt reg 1 N} (the kernel's prandom).
   */
  public NftRuleRequest randomFraction(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("a random fraction of packets is above 0 and at most 1, not " + fraction);
    }
    int threshold = (int) Math.round(fraction * RANDOM_MODULUS);
    byte[] be = {(byte) (threshold >>> 24), (byte) (threshold >>> 16), (byte) (threshold >>> 8), (byte) threshold};
    return add("numgen random mod " + RANDOM_MODULUS + " < " + threshold, m -> {
      expression(m, "numgen", d -> d.attrBe32(NFTA_NG_DREG, NFT_REG_1).attrBe32(NFTA_NG_MODULUS, RANDOM_MODULUS)
          .attrBe32(NFTA_NG_TYPE, NFT_NG_RANDOM));
      expression(m, "byteorder", d -> d.attrBe32(NFTA_BYTEORDER_SREG, NFT_REG_1).attrBe32(NFTA_BYTEORDER_DREG, NFT_REG_1)
          .attrBe32(NFTA_BYTEORDER_OP, NFT_BYTEORDER_HTON).attrBe32(NFTA_BYTEORDER_LEN, 4)
          .attrBe32(NFTA_BYTEORDER_SIZE, 4));
      expression(m, "cmp", d -> {
        d.attrBe32(NFTA_CMP_SREG, NFT_REG_1).attrBe32(NFTA_CMP_OP, NFT_CMP_LT);
        value(d, NFTA_CMP_DATA, be);
      });
    }, false);
  }

  // ---- statements ----

  /** Counts the packets and bytes that get this far: {@code counter}. */
  public NftRuleRequest counter() {
    return add("counter", m -> expression(m, "counter", null), false);
  }

  /** Answers with an ICMP (IPv4) or ICMPv6 error: {@code reject with icmpx type CODE}. */
  public NftRuleRequest reject(IcmpxCode code) {
    return add("reject with icmpx type " + code, m -> expression(m, "reject",
        d -> d.attrBe32(NFTA_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH).attrU8(NFTA_REJECT_ICMP_CODE, code.code)), true);
  }

  /**
   * Answers a TCP segment with a reset: {@code reject with tcp reset}, which like nft matches
   * TCP first ({@code meta l4proto tcp}).
   */
  public NftRuleRequest rejectTcpReset() {
    return add("reject with tcp reset", m -> {
      meta(m, NFT_META_L4PROTO);
      cmpEq(m, new byte[] {(byte) IPPROTO_TCP});
      expression(m, "reject", d -> d.attrBe32(NFTA_REJECT_TYPE, NFT_REJECT_TCP_RST));
    }, true);
  }

  /**
   * Rewrites the source of a connection's packets to the address of the interface they leave
   * through: {@code masquerade}. Only in a nat chain at hook postrouting.
   */
  public NftRuleRequest masquerade() {
    return add("masquerade", m -> expression(m, "masq", null), true);
  }

  /** Drops the packet without an answer: {@code drop}. */
  public NftRuleRequest drop() {
    return add("drop", m -> verdict(m, NF_DROP), true);
  }

  /** Lets the packet through this chain: {@code accept}. */
  public NftRuleRequest accept() {
    return add("accept", m -> verdict(m, NF_ACCEPT), true);
  }

  private NftRuleRequest add(String text, Consumer<MessageBuilder> expressions, boolean last) {
    if (!statements.isEmpty() && statements.get(statements.size() - 1).last()) {
      throw new IllegalStateException("\"" + this + "\" already ends with "
          + statements.get(statements.size() - 1).text() + "; nothing can follow it");
    }
    statements.add(new Statement(text, expressions, last));
    return this;
  }

  /**
   * Sends the request alone in a batch on {@code nft}, waits for its ACK and returns the new
   * rule's handle (for {@link NftDeleteRuleRequest#handle}).
   */
  public long sendOn(Nftables nft) {
    return nft.apply(this).get(0);
  }

  @Override
  public void writeTo(MessageBuilder m) {
    if (statements.isEmpty()) {
      throw new IllegalStateException("\"" + this + "\" has no statement");
    }
    m.begin(NftConstants.type(NFT_MSG_NEWRULE), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND | NLM_F_ECHO,
            this)
        .struct(NfGenMsg.of(netdev ? NFPROTO_NETDEV : NFPROTO_INET))
        .attrString(NFTA_RULE_TABLE, table)
        .attrString(NFTA_RULE_CHAIN, chain);
    int list = m.beginNested(NFTA_RULE_EXPRESSIONS);
    for (Statement s : statements) {
      s.expressions().accept(m);
    }
    m.endNested(list).end();
  }

  /** The nft command this request is equivalent to. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("nft add rule ").append(netdev ? "netdev " : "inet ").append(table).append(' ').append(chain);
    for (Statement s : statements) {
      sb.append(' ').append(s.text());
    }
    return sb.toString();
  }

  // ---- expressions: one NFTA_LIST_ELEM { NFTA_EXPR_NAME, NFTA_EXPR_DATA { ... } } each ----

  private static void expression(MessageBuilder m, String name, Consumer<MessageBuilder> data) {
    int elem = m.beginNested(NFTA_LIST_ELEM);
    m.attrString(NFTA_EXPR_NAME, name);
    if (data != null) {
      int d = m.beginNested(NFTA_EXPR_DATA);
      data.accept(m);
      m.endNested(d);
    }
    m.endNested(elem);
  }

  /** {@code meta load KEY => reg 1}. */
  private static void meta(MessageBuilder m, int key) {
    expression(m, "meta", d -> d.attrBe32(NFTA_META_KEY, key).attrBe32(NFTA_META_DREG, NFT_REG_1));
  }

  /** {@code cmp eq reg 1 VALUE}. */
  private static void cmpEq(MessageBuilder m, byte[] value) {
    expression(m, "cmp", d -> {
      d.attrBe32(NFTA_CMP_SREG, NFT_REG_1).attrBe32(NFTA_CMP_OP, NFT_CMP_EQ);
      value(d, NFTA_CMP_DATA, value);
    });
  }

  /** {@code payload load LENb @ network header + OFFSET => reg 1}. */
  private static void payload(MessageBuilder m, int offset, int length) {
    expression(m, "payload", d -> d.attrBe32(NFTA_PAYLOAD_DREG, NFT_REG_1)
        .attrBe32(NFTA_PAYLOAD_BASE, NFT_PAYLOAD_NETWORK_HEADER)
        .attrBe32(NFTA_PAYLOAD_OFFSET, offset)
        .attrBe32(NFTA_PAYLOAD_LEN, length));
  }

  /** {@code bitwise reg 1 = (reg 1 & MASK) ^ 0}. */
  private static void bitwise(MessageBuilder m, byte[] mask) {
    expression(m, "bitwise", d -> {
      d.attrBe32(NFTA_BITWISE_SREG, NFT_REG_1).attrBe32(NFTA_BITWISE_DREG, NFT_REG_1)
          .attrBe32(NFTA_BITWISE_LEN, mask.length);
      value(d, NFTA_BITWISE_MASK, mask);
      value(d, NFTA_BITWISE_XOR, new byte[mask.length]);
    });
  }

  /** {@code immediate reg 0 VERDICT}. */
  private static void verdict(MessageBuilder m, int code) {
    expression(m, "immediate", d -> {
      d.attrBe32(NFTA_IMMEDIATE_DREG, NFT_REG_VERDICT);
      int data = d.beginNested(NFTA_IMMEDIATE_DATA);
      int verdict = d.beginNested(NFTA_DATA_VERDICT);
      d.attrBe32(NFTA_VERDICT_CODE, code).endNested(verdict).endNested(data);
    });
  }

  /** {@code type { NFTA_DATA_VALUE bytes }}. */
  private static void value(MessageBuilder m, int type, byte[] bytes) {
    int data = m.beginNested(type);
    m.attr(NFTA_DATA_VALUE, bytes).endNested(data);
  }
}
