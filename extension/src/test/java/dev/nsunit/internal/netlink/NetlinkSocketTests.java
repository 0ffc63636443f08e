package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.NETLINK_ROUTE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_DUMP;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_DELLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_GETLINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.internal.ns.Netns;
import java.util.List;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The socket's one round trip (lock, sequence numbers, send, ACKs and replies), against the
 * kernel in a fresh namespace.
 */
class NetlinkSocketTests {
  private static final int EEXIST = Errno.EEXIST.intValue();
  private static final int NO_SUCH_INDEX = 999_999;

  private Netns ns;
  private NetlinkSocket socket;

  @BeforeEach
  void openASocketInAFreshNamespace() throws Exception {
    ns = Netns.create("netlink socket");
    socket = ns.call(() -> NetlinkSocket.open(NETLINK_ROUTE));
  }

  @AfterEach
  void close() {
    try {
      socket.close();
    } finally {
      ns.close();
    }
  }

  private List<String> linkNames() {
    return socket.dump(m -> m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, "ip link show")
        .struct(IfInfoMsg.any()).end(), r -> LinkCodec.decode(r).name());
  }

  /** An {@code ip link add NAME type bridge} with the given nlmsg_flags. */
  private static void addBridge(MessageBuilder m, String name, int flags) {
    m.begin(RTM_NEWLINK, flags, "ip link add " + name + " type bridge").struct(IfInfoMsg.any())
        .attrString(IFLA_IFNAME, name);
    int info = m.beginNested(IFLA_LINKINFO);
    m.attrString(IFLA_INFO_KIND, "bridge").endNested(info).end();
  }

  @Test
  void aBatchRunsEveryRequestThenThrowsTheFirstFailure() {
    int create = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;

    assertThatThrownBy(() -> socket.execute(m -> {
      addBridge(m, "b0", create);
      addBridge(m, "b0", create); // EEXIST: the first failure
      m.begin(RTM_DELLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link del dev if" + NO_SUCH_INDEX)
          .struct(IfInfoMsg.of(NO_SUCH_INDEX)).end(); // ENODEV: a later one
      addBridge(m, "b1", create);
    })).isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("ip link add b0 type bridge failed: EEXIST (File exists)")
        .extracting(e -> ((NetlinkException) e).errno()).isEqualTo(EEXIST);

    // The request after the failures ran too, and the socket is in step for the next one.
    assertThat(linkNames()).contains("b0", "b1");
  }

  @Test
  void requestReturnsTheDataRepliesOfEveryRequestInOrder() {
    List<Integer> indexes = socket.request(m -> {
      m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link show dev lo").struct(IfInfoMsg.any())
          .attrString(IFLA_IFNAME, "lo").end();
      m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link show dev if1").struct(IfInfoMsg.of(1)).end();
    }, r -> IfInfoMsg.read(r.payload()).index());

    assertThat(indexes).containsExactly(1, 1);
  }

  @Test
  void aRequestWithoutNlmFAckIsRefusedBeforeItIsSent() {
    assertThatThrownBy(() -> socket.execute(m -> addBridge(m, "nb0", NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("request \"ip link add nb0 type bridge\" must set NLM_F_ACK");

    assertThat(linkNames()).doesNotContain("nb0");
  }

  @Test
  void dumpTakesExactlyOneDumpRequest() {
    assertThatThrownBy(() -> socket.dump(m -> m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_ACK, "ip link show dev lo")
        .struct(IfInfoMsg.of(1)).end(), r -> r))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("dump() takes exactly one NLM_F_DUMP request");
    assertThatThrownBy(() -> socket.dump(m -> {
      m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, "ip link show").struct(IfInfoMsg.any()).end();
      m.begin(RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, "ip link show").struct(IfInfoMsg.any()).end();
    }, r -> r)).isInstanceOf(IllegalArgumentException.class).hasMessage("dump() takes exactly one NLM_F_DUMP request");

    assertThat(linkNames()).as("the socket is still in step").containsExactly("lo");
  }

  @Test
  void aClosedSocketRefusesEveryOperationWithItsRule() {
    socket.close();
    socket.close();

    String rule = "netlink socket (protocol " + NETLINK_ROUTE + ") is closed";
    assertThatThrownBy(() -> socket.execute(m -> addBridge(m, "c0", NLM_F_REQUEST | NLM_F_ACK)))
        .isInstanceOf(IllegalStateException.class).hasMessage(rule);
    assertThatThrownBy(() -> socket.request(m -> { }, r -> r)).isInstanceOf(IllegalStateException.class)
        .hasMessage(rule);
    assertThatThrownBy(this::linkNames).isInstanceOf(IllegalStateException.class).hasMessage(rule);
  }
}
