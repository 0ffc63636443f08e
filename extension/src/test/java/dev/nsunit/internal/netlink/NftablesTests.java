package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nsunit.internal.netlink.NftChainRequest.Hook;
import dev.nsunit.internal.netlink.NftRuleRequest.IcmpxCode;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.testing.Shell;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The nf_tables requests, each sent in-process into a fresh namespace and read back with
 * {@code nft -j list ruleset} run inside it, the independent reader: tables, chains and rules
 * show up exactly as built, handles are the kernel's, deletion and flushing remove what they
 * name, and a batch is one transaction whose failure names the request the kernel refused.
 */
class NftablesTests {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String T = NftRuleset.TABLE;

  private Netns ns;
  private Nftables nft;
  private String path;

  @BeforeEach
  void createNamespace() throws Exception {
    ns = Netns.create("nftables");
    nft = ns.call(Nftables::open);
    path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + ns.fd();
  }

  @AfterEach
  void close() {
    try {
      nft.close();
    } finally {
      ns.close();
    }
  }

  // ---- the oracle ----

  /** The objects of one kind ("table", "chain", "rule") that {@code nft -j list ruleset} shows. */
  private List<ObjectNode> listed(String kind) {
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode entry : json(Shell.in(path, "nft", "-j", "list", "ruleset")).get("nftables")) {
      if (entry.has(kind)) {
        out.add((ObjectNode) entry.get(kind));
      }
    }
    return out;
  }

  /** The same objects without their handles, which the kernel chooses. */
  private List<ObjectNode> listedWithoutHandles(String kind) {
    List<ObjectNode> out = listed(kind);
    out.forEach(o -> o.remove("handle"));
    return out;
  }

  /** Each rule's expressions, as nft decodes them, in chain order. */
  private List<JsonNode> ruleExpressions(String chain) {
    List<JsonNode> out = new ArrayList<>();
    for (ObjectNode r : listed("rule")) {
      if (r.get("chain").asText().equals(chain)) {
        out.add(r.get("expr"));
      }
    }
    return out;
  }

  private List<Long> ruleHandles(String chain) {
    List<Long> out = new ArrayList<>();
    for (ObjectNode r : listed("rule")) {
      if (r.get("chain").asText().equals(chain)) {
        out.add(r.get("handle").asLong());
      }
    }
    return out;
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + text, e);
    }
  }

  // ---- as built ----

  @Test
  void theLabsForwardRejectIsWhatNftShows() {
    List<Long> handles = NftRuleset.labForwardReject().applyTo(nft);

    assertThat(listedWithoutHandles("table")).containsExactly((ObjectNode) json("""
        {"family": "inet", "name": "nsunit"}"""));
    assertThat(listedWithoutHandles("chain")).containsExactly((ObjectNode) json("""
        {"family": "inet", "table": "nsunit", "name": "forward", "type": "filter", "hook": "forward", "prio": 0,
         "policy": "accept"}"""));
    assertThat(ruleExpressions("forward")).containsExactly(json("""
        [{"reject": {"type": "icmpx", "expr": "host-unreachable"}}]"""));
    assertThat(handles).isEqualTo(ruleHandles("forward")).hasSize(1);
  }

  @Test
  void theMasqueradeRuleIsWhatNftShows() {
    List<Long> handles = NftRuleset.masquerade(IpPrefix.parse("10.1.0.0/24"), "v1").applyTo(nft);

    assertThat(listedWithoutHandles("chain")).containsExactly((ObjectNode) json("""
        {"family": "inet", "table": "nsunit", "name": "postrouting", "type": "nat", "hook": "postrouting",
         "prio": 100, "policy": "accept"}"""));
    assertThat(ruleExpressions("postrouting")).containsExactly(json("""
        [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                    "right": {"prefix": {"addr": "10.1.0.0", "len": 24}}}},
         {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "v1"}},
         {"masquerade": null}]"""));
    assertThat(handles).isEqualTo(ruleHandles("postrouting")).hasSize(1);
  }

  @Test
  void bothRuleSetsShareTheOneTable() {
    NftRuleset.labForwardReject().applyTo(nft);
    NftRuleset.masquerade(IpPrefix.parse("10.1.0.0/24"), "v1").applyTo(nft);

    assertThat(listed("table")).hasSize(1);
    assertThat(listed("chain")).extracting(c -> c.get("name").asText()).containsExactlyInAnyOrder("forward",
        "postrouting");
  }

  @Test
  void everyStatementIsWhatNftShows() {
    nft.apply(NftTableRequest.add(T), NftChainRequest.base(T, "c", NftChainRequest.Type.FILTER, Hook.INPUT, -10));
    nft.apply(
        NftRuleRequest.append(T, "c").iifname("eth0").oifname("eth1").ipSaddr(IpPrefix.parse("10.1.0.0/20"))
            .ipDaddr(IpPrefix.parse("10.2.3.4/32")).counter().rejectTcpReset(),
        NftRuleRequest.append(T, "c").ipDaddr(IpPrefix.parse("10.0.0.0/8")).reject(IcmpxCode.ADMIN_PROHIBITED),
        NftRuleRequest.append(T, "c").reject(IcmpxCode.PORT_UNREACHABLE),
        NftRuleRequest.append(T, "c").reject(IcmpxCode.NO_ROUTE),
        NftRuleRequest.append(T, "c").ipSaddr(IpPrefix.parse("0.0.0.0/0")).drop(),
        NftRuleRequest.append(T, "c").accept());

    assertThat(listedWithoutHandles("chain")).containsExactly((ObjectNode) json("""
        {"family": "inet", "table": "nsunit", "name": "c", "type": "filter", "hook": "input", "prio": -10,
         "policy": "accept"}"""));
    assertThat(ruleExpressions("c")).containsExactly(
        json("""
            [{"match": {"op": "==", "left": {"meta": {"key": "iifname"}}, "right": "eth0"}},
             {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "eth1"}},
             {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                        "right": {"prefix": {"addr": "10.1.0.0", "len": 20}}}},
             {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "10.2.3.4"}},
             {"counter": {"packets": 0, "bytes": 0}},
             {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "tcp"}},
             {"reject": {"type": "tcp reset"}}]"""),
        json("""
            [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}},
                        "right": {"prefix": {"addr": "10.0.0.0", "len": 8}}}},
             {"reject": {"type": "icmpx", "expr": "admin-prohibited"}}]"""),
        json("""
            [{"reject": {"type": "icmpx", "expr": "port-unreachable"}}]"""),
        json("""
            [{"reject": {"type": "icmpx", "expr": "no-route"}}]"""),
        json("""
            [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                        "right": {"prefix": {"addr": "0.0.0.0", "len": 0}}}},
             {"drop": null}]"""),
        json("""
            [{"accept": null}]"""));
  }

  // ---- handles, deletion, flushing ----

  @Test
  void aRuleDeletedByHandleDisappearsAndTheOthersStay() {
    nft.apply(NftTableRequest.add(T), NftChainRequest.base(T, "c", NftChainRequest.Type.FILTER, Hook.FORWARD, 0));
    long first = NftRuleRequest.append(T, "c").iifname("a0").accept().sendOn(nft);
    long second = NftRuleRequest.append(T, "c").iifname("b0").drop().sendOn(nft);
    long third = NftRuleRequest.append(T, "c").iifname("c0").reject(IcmpxCode.HOST_UNREACHABLE).sendOn(nft);
    assertThat(ruleHandles("c")).containsExactly(first, second, third);

    NftDeleteRuleRequest.handle(T, "c", second).sendOn(nft);

    assertThat(ruleHandles("c")).containsExactly(first, third);
    assertThat(ruleExpressions("c")).extracting(e -> e.get(0).at("/match/right").asText()).containsExactly("a0", "c0");
  }

  @Test
  void deletingAHandleThatIsGoneNamesTheCommand() {
    NftRuleset.labForwardReject().applyTo(nft);
    long handle = ruleHandles("forward").get(0);
    NftDeleteRuleRequest.handle(T, "forward", handle).sendOn(nft);

    assertThatThrownBy(() -> NftDeleteRuleRequest.handle(T, "forward", handle).sendOn(nft))
        .isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("nft delete rule inet nsunit forward handle " + handle
            + " failed: ENOENT (No such file or directory)")
        .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT.intValue());
  }

  @Test
  void flushingAChainRemovesEveryRuleButKeepsTheChain() {
    NftRuleset.labForwardReject().applyTo(nft);
    NftRuleRequest.append(T, NftRuleset.FORWARD).accept().sendOn(nft);
    assertThat(ruleHandles("forward")).hasSize(2);

    NftDeleteRuleRequest.flush(T, NftRuleset.FORWARD).sendOn(nft);

    assertThat(listed("rule")).isEmpty();
    assertThat(listedWithoutHandles("chain")).containsExactly((ObjectNode) json("""
        {"family": "inet", "table": "nsunit", "name": "forward", "type": "filter", "hook": "forward", "prio": 0,
         "policy": "accept"}"""));
  }

  @Test
  void deletingTheTableRemovesEverythingInIt() {
    NftRuleset.labForwardReject().applyTo(nft);
    NftTableRequest.delete(T).sendOn(nft);
    assertThat(listed("table")).isEmpty();
    assertThat(listed("chain")).isEmpty();
  }

  // ---- one transaction, and errors that name the request ----

  @Test
  void aBatchTakesEffectWholeOrNotAtAllAndNamesTheRequestTheKernelRefused() {
    assertThatThrownBy(() -> nft.apply(
        NftTableRequest.add(T),
        NftChainRequest.base(T, "c", NftChainRequest.Type.FILTER, Hook.FORWARD, 0),
        NftRuleRequest.append(T, "missing").accept(), // ENOENT: the first failure
        NftRuleRequest.append(T, "c").drop()))
        .isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("nft add rule inet nsunit missing accept failed: ENOENT (No such file or directory)")
        .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.ENOENT.intValue());

    assertThat(listed("table")).as("nothing of the failed batch took effect").isEmpty();
    // and the socket is in step: the next batch gets its own answers
    assertThat(NftRuleset.labForwardReject().applyTo(nft)).isEqualTo(ruleHandles("forward"));
  }

  @Test
  void anExpressionInTheWrongKindOfChainIsRefused() {
    nft.apply(NftTableRequest.add(T), NftChainRequest.base(T, "c", NftChainRequest.Type.FILTER, Hook.FORWARD, 0));
    // masquerade only works in a nat chain at postrouting
    assertThatThrownBy(() -> NftRuleRequest.append(T, "c").masquerade().sendOn(nft))
        .isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("nft add rule inet nsunit c masquerade failed: ")
        .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(Errno.EOPNOTSUPP.intValue());
    assertThat(listed("rule")).isEmpty();
  }

  /** A batch of raw requests: nsunit's own requests refuse what the kernel would, before sending. */
  private static void rawBatch(MessageBuilder m, int subsystem, Consumer<MessageBuilder> requests) {
    m.begin(NftConstants.NFNL_MSG_BATCH_BEGIN, NLM_F_REQUEST, "the batch").struct(NfGenMsg.batch(subsystem)).end();
    requests.accept(m);
    m.begin(NftConstants.NFNL_MSG_BATCH_END, NLM_F_REQUEST, "the batch").struct(NfGenMsg.batch(subsystem)).end();
  }

  @Test
  void theKernelsOwnWordsReachTheError() {
    String name = "x".repeat(NftConstants.NFT_NAME_MAXLEN + 10);
    assertThatThrownBy(() -> nft.socket().batch(m -> rawBatch(m, NftConstants.NFNL_SUBSYS_NFTABLES, r -> r
        .begin(NftConstants.type(NftConstants.NFT_MSG_NEWTABLE), NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE,
            "nft add table inet xxx...")
        .struct(NfGenMsg.of(NftConstants.NFPROTO_INET)).attrString(NftConstants.NFTA_TABLE_NAME, name).end()), r -> null))
        .isInstanceOf(NetlinkException.class)
        .hasMessage("nft add table inet xxx... failed: ERANGE (Numerical result out of range); kernel says:"
            + " Attribute failed policy validation");
    assertThat(listed("table")).isEmpty();
  }

  @Test
  void aBatchTheKernelRefusesWholeFailsAtOnceAndTheSocketStaysInStep() {
    int noSuchSubsystem = 200; // nfnetlink answers the batch's BEGIN with EINVAL and reads no further
    assertThatThrownBy(() -> nft.socket().batch(m -> rawBatch(m, noSuchSubsystem, r -> NftTableRequest.add(T).writeTo(r)),
        r -> null))
        .isInstanceOf(NetlinkException.class)
        .hasMessage("the batch failed: EINVAL (Invalid argument)");
    assertThat(listed("table")).isEmpty();
    assertThat(NftRuleset.labForwardReject().applyTo(nft)).isEqualTo(ruleHandles("forward"));
  }

  // ---- refused before the kernel sees it ----

  @Test
  void malformedRulesAreRefusedBeforeSending() {
    NftRuleRequest accepted = NftRuleRequest.append(T, "c").accept();
    assertThatThrownBy(() -> accepted.drop()).isInstanceOf(IllegalStateException.class)
        .hasMessage("\"nft add rule inet nsunit c accept\" already ends with accept; nothing can follow it");
    assertThatThrownBy(() -> NftRuleRequest.append(T, "c").ipSaddr(IpPrefix.parse("10.1.2.3/24")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ip saddr 10.1.2.3/24 has host bits set; did you mean 10.1.2.0/24?");
    assertThatThrownBy(() -> NftRuleRequest.append(T, "c").ipDaddr(IpPrefix.parse("fd00::/8")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("ip daddr takes an IPv4 prefix, not fd00::/8");
    assertThatThrownBy(() -> NftRuleRequest.append(T, "c").oifname("a/b")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> NftTableRequest.add("")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("\"\" is not a valid nf_tables table name: use 1 to 255 bytes without NUL");
    assertThatThrownBy(() -> NftDeleteRuleRequest.handle(T, "c", 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nft.apply(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> nft.apply(NftRuleRequest.append(T, "c"))).isInstanceOf(IllegalStateException.class)
        .hasMessage("\"nft add rule inet nsunit c\" has no statement");
    assertThat(listed("table")).isEmpty();
  }

  @Test
  void aBatchWithoutItsFramingIsRefusedBeforeSending() {
    assertThatThrownBy(() -> nft.socket().batch(NftTableRequest.add(T)::writeTo, m -> null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("batch() takes NFNL_MSG_BATCH_BEGIN, one or more requests and NFNL_MSG_BATCH_END");
    assertThat(listed("table")).isEmpty();
  }

  @Test
  void describesItselfAsNftWould() {
    assertThat(NftRuleset.labForwardReject()).hasToString("""
        nft add table inet nsunit
        nft add chain inet nsunit forward { type filter hook forward priority 0; policy accept; }
        nft add rule inet nsunit forward reject with icmpx type host-unreachable""");
    assertThat(NftRuleset.masquerade(IpPrefix.parse("10.1.0.0/24"), "v1")).hasToString("""
        nft add table inet nsunit
        nft add chain inet nsunit postrouting { type nat hook postrouting priority 100; policy accept; }
        nft add rule inet nsunit postrouting ip saddr 10.1.0.0/24 oifname "v1" masquerade""");
    assertThat(NftRuleRequest.append(T, "c").iifname("eth0").counter().rejectTcpReset())
        .hasToString("nft add rule inet nsunit c iifname \"eth0\" counter reject with tcp reset");
    assertThat(NftDeleteRuleRequest.handle(T, "c", 7)).hasToString("nft delete rule inet nsunit c handle 7");
    assertThat(NftDeleteRuleRequest.flush(T, "c")).hasToString("nft flush chain inet nsunit c");
    assertThat(NftTableRequest.delete(T)).hasToString("nft delete table inet nsunit");
  }
}
