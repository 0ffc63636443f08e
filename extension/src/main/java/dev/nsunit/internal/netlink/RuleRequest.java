package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;

import dev.nsunit.internal.libc.Libc;

/**
 * A policy routing rule to add (RTM_NEWRULE) whose action refuses the packets it matches, or
 * looks their route up in another table. The
 * header, {@code struct fib_rule_hdr} (linux/fib_rules.h), has the layout of {@code struct rtmsg}
 * (family, dst_len, src_len, tos, table, two reserved bytes, action, flags), and each FR_ACT_*
 * action has the number of the route type it mirrors (FR_ACT_PROHIBIT = RTN_PROHIBIT = 8); that
 * is how iproute2 long sent rules, and so the header is written as an {@link RtMsg}.
 *
 * <pre>{@code
 * RuleRequest.prohibit(false).iif("lo").not().priority(100).sendOn(rtnetlink);
 * }</pre>
 */
public final class RuleRequest {
  /** {@code RTM_NEWRULE} from linux/rtnetlink.h. */
  static final int RTM_NEWRULE = 32;
  /** {@code FRA_IIFNAME} from linux/fib_rules.h: the input interface's name. */
  static final int FRA_IIFNAME = 3;
  /** {@code FRA_PRIORITY} from linux/fib_rules.h: the rule's preference (u32). */
  static final int FRA_PRIORITY = 6;
  /** {@code FIB_RULE_INVERT} from linux/fib_rules.h: the rule matches what its selectors do not. */
  static final int FIB_RULE_INVERT = 0x2;
  /** {@code FR_ACT_PROHIBIT} from linux/fib_rules.h. */
  static final int FR_ACT_PROHIBIT = 8;
  /** {@code FR_ACT_TO_TBL} from linux/fib_rules.h: look the route up in the rule's table. */
  static final int FR_ACT_TO_TBL = 1;
  /** {@code FRA_TABLE} from linux/fib_rules.h: the table, as a u32 (the header's byte holds only 0..255). */
  static final int FRA_TABLE = 15;

  private final boolean ipv6;
  private final int action;
  private int table;
  private String iif;
  private boolean invert;
  private int priority = -1;

  private RuleRequest(boolean ipv6, int action) {
    this.ipv6 = ipv6;
    this.action = action;
  }

  /**
   * A rule that refuses what it matches with an ICMP "administratively prohibited" (the sender's
   * socket fails with EHOSTUNREACH, or EACCES for IPv6). Equivalent to: {@code ip rule add ... prohibit}.
   */
  public static RuleRequest prohibit(boolean ipv6) {
    return new RuleRequest(ipv6, FR_ACT_PROHIBIT);
  }

  /**
   * A rule that looks up the route of what it matches in {@code table}; if that table has no
   * route for it, the next rules are tried. Equivalent to: {@code ip rule add ... lookup TABLE}.
   */
  public static RuleRequest lookup(boolean ipv6, int table) {
    if (table < 1 || table == 253 || table == 254 || table == 255) {
      throw new IllegalArgumentException("table " + table + " is not a table of our own: use 1..252 or 256 and up"
          + " (253, 254 and 255 are default, main and local)");
    }
    RuleRequest r = new RuleRequest(ipv6, FR_ACT_TO_TBL);
    r.table = table;
    return r;
  }

  /**
   * A rule that looks up the route of what it matches in the main table. Equivalent to:
   * {@code ip rule add ... lookup main}.
   */
  public static RuleRequest lookupMain(boolean ipv6) {
    RuleRequest r = new RuleRequest(ipv6, FR_ACT_TO_TBL);
    r.table = 254;
    return r;
  }

  /** Matches packets that arrived on {@code name}; {@code iif NAME}. */
  public RuleRequest iif(String name) {
    this.iif = LinkRequest.checkName(name);
    return this;
  }

  /** Inverts the selectors; {@code not}. */
  public RuleRequest not() {
    this.invert = true;
    return this;
  }

  /** The preference: rules are tried in increasing order; {@code pref N}. */
  public RuleRequest priority(int priority) {
    if (priority < 0) {
      throw new IllegalArgumentException("a rule's priority is 0 or more, not " + priority);
    }
    this.priority = priority;
    return this;
  }

  /** Sends the request on {@code rtnetlink} and waits for its ACK. */
  public void sendOn(Rtnetlink rtnetlink) {
    rtnetlink.socket().execute(this::encode);
  }

  void encode(MessageBuilder m) {
    m.begin(RTM_NEWRULE, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, this)
        .struct(new RtMsg(ipv6 ? Libc.AF_INET6 : Libc.AF_INET, 0, 0, 0, table < 256 ? table : 0, 0, 0, action,
            invert ? FIB_RULE_INVERT : 0));
    if (table > 0) {
      m.attrU32(FRA_TABLE, table);
    }
    if (iif != null) {
      m.attrString(FRA_IIFNAME, iif);
    }
    if (priority >= 0) {
      m.attrU32(FRA_PRIORITY, priority);
    }
    m.end();
  }

  /** The iproute2 command this request is equivalent to. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("ip ").append(ipv6 ? "-6 " : "").append("rule add");
    if (invert) {
      sb.append(" not");
    }
    if (iif != null) {
      sb.append(" iif ").append(iif);
    }
    if (priority >= 0) {
      sb.append(" pref ").append(priority);
    }
    return sb.append(action == FR_ACT_PROHIBIT ? " prohibit"
        : action == FR_ACT_TO_TBL ? " lookup " + table : " action " + action).toString();
  }
}
