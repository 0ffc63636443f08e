package dev.nsunit.internal.netlink;

import dev.nsunit.model.IpPrefix;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The nf_tables rule sets nsunit installs, in its own table {@code inet nsunit}; each is applied
 * as one transaction.
 *
 * <pre>{@code
 * NftRuleset.labForwardReject().applyTo(nft);
 * }</pre>
 */
public final class NftRuleset {
  /** The one table nsunit's rules live in, of family inet. */
  public static final String TABLE = "nsunit";
  /** The chain at hook forward that {@link #labForwardReject()} creates. */
  public static final String FORWARD = "forward";
  /** The chain at hook postrouting that {@link #masquerade} creates. */
  public static final String POSTROUTING = "postrouting";

  private final List<NftRequest> requests;

  private NftRuleset(List<NftRequest> requests) {
    this.requests = List.copyOf(requests);
  }

  /**
   * Every packet this namespace would route from one link to another is answered with an ICMP
   * host unreachable (ICMPv6 address unreachable), so the sender's connect fails at once with
   * EHOSTUNREACH. Unlike an {@code ip rule ... prohibit}, whose errors the kernel sends at most
   * 5 in a burst per destination host-wide ({@code net.ipv4.route.error_burst}), these go through
   * {@code icmp_send}'s limits only, which are the namespace's own ({@code net.ipv4.icmp_ratelimit}).
   * Only packets that have a route get this far: one an {@code unreachable} route refuses is
   * answered by the routing code before the forward hook. Equivalent to:
   * <pre>
   * nft add table inet nsunit
   * nft add chain inet nsunit forward { type filter hook forward priority 0; policy accept; }
   * nft add rule inet nsunit forward reject with icmpx type host-unreachable
   * </pre>
   */
  public static NftRuleset labForwardReject() {
    return new NftRuleset(List.of(
        NftTableRequest.add(TABLE),
        NftChainRequest.base(TABLE, FORWARD, NftChainRequest.Type.FILTER, NftChainRequest.Hook.FORWARD, 0),
        NftRuleRequest.append(TABLE, FORWARD).reject(NftRuleRequest.IcmpxCode.HOST_UNREACHABLE)));
  }

  /**
   * Like {@link #labForwardReject()}, for what is forwarded out of {@code outInterface} only, so
   * that frames a bridge passes between its own ports stay untouched where the kernel shows them
   * to the IP hooks too (br_netfilter, {@code net.bridge.bridge-nf-call-iptables=1}). The lab
   * routes whatever it refuses to {@code lo}. The error is "administratively prohibited", as the
   * {@code prohibit} routing rule sends: a hard error that a connected UDP socket is told of too
   * (EHOSTUNREACH), where "host unreachable" would reach only TCP's connect. Equivalent to:
   * <pre>
   * nft add table inet nsunit
   * nft add chain inet nsunit forward { type filter hook forward priority 0; policy accept; }
   * nft add rule inet nsunit forward oifname "OUT" reject with icmpx type admin-prohibited
   * </pre>
   */
  public static NftRuleset labForwardReject(String outInterface) {
    return new NftRuleset(List.of(
        NftTableRequest.add(TABLE),
        NftChainRequest.base(TABLE, FORWARD, NftChainRequest.Type.FILTER, NftChainRequest.Hook.FORWARD, 0),
        NftRuleRequest.append(TABLE, FORWARD).oifname(outInterface).reject(NftRuleRequest.IcmpxCode.ADMIN_PROHIBITED)));
  }

  /**
   * Connections from {@code source} that leave through {@code outInterface} get that interface's
   * address as their source. Equivalent to:
   * <pre>
   * nft add table inet nsunit
   * nft add chain inet nsunit postrouting { type nat hook postrouting priority 100; policy accept; }
   * nft add rule inet nsunit postrouting ip saddr SOURCE oifname "OUT" masquerade
   * </pre>
   */
  public static NftRuleset masquerade(IpPrefix source, String outInterface) {
    return new NftRuleset(List.of(
        NftTableRequest.add(TABLE),
        NftChainRequest.base(TABLE, POSTROUTING, NftChainRequest.Type.NAT, NftChainRequest.Hook.POSTROUTING, 100),
        NftRuleRequest.append(TABLE, POSTROUTING).ipSaddr(source).oifname(outInterface).masquerade()));
  }

  /**
   * Connections that leave through {@code outInterface} get its address as their source, whoever
   * sent them. Equivalent to:
   * <pre>
   * nft add table inet nsunit
   * nft add chain inet nsunit postrouting { type nat hook postrouting priority 100; policy accept; }
   * nft add rule inet nsunit postrouting oifname "OUT" masquerade
   * </pre>
   */
  public static NftRuleset masquerade(String outInterface) {
    return new NftRuleset(List.of(
        NftTableRequest.add(TABLE),
        NftChainRequest.base(TABLE, POSTROUTING, NftChainRequest.Type.NAT, NftChainRequest.Hook.POSTROUTING, 100),
        NftRuleRequest.append(TABLE, POSTROUTING).oifname(outInterface).masquerade()));
  }

  /**
   * What arrives on {@code inInterface} is not forwarded out of {@code outInterface}: the sender
   * is told "administratively prohibited". Equivalent to:
   * <pre>
   * nft add table inet nsunit
   * nft add chain inet nsunit forward { type filter hook forward priority 0; policy accept; }
   * nft add rule inet nsunit forward iifname "IN" oifname "OUT" reject with icmpx type admin-prohibited
   * </pre>
   */
  public static NftRuleset rejectForwarding(String inInterface, String outInterface) {
    return new NftRuleset(List.of(
        NftTableRequest.add(TABLE),
        NftChainRequest.base(TABLE, FORWARD, NftChainRequest.Type.FILTER, NftChainRequest.Hook.FORWARD, 0),
        NftRuleRequest.append(TABLE, FORWARD).iifname(inInterface).oifname(outInterface)
            .reject(NftRuleRequest.IcmpxCode.ADMIN_PROHIBITED)));
  }

  /** The requests, in the order they are sent. */
  public List<NftRequest> requests() {
    return requests;
  }

  /**
   * Applies the rule set to {@code nft}'s namespace as one transaction; returns the handles of
   * the rules it added. Adding it twice adds its rules twice.
   */
  public List<Long> applyTo(Nftables nft) {
    return nft.apply(requests);
  }

  /** The nft commands this rule set is equivalent to, one a line. */
  @Override
  public String toString() {
    return requests.stream().map(String::valueOf).collect(Collectors.joining("\n"));
  }
}
