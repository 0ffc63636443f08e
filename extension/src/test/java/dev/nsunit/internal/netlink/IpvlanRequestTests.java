package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_IFNAME;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_DATA;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_INFO_KIND;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINK;
import static dev.nsunit.internal.netlink.NetlinkConstants.IFLA_LINKINFO;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.nsunit.internal.ns.Netns;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * ipvlan cannot run on a kernel without CONFIG_IPVLAN, such as this machine's, so its request is
 * proven another way: iproute2's {@code ip link add link lo name iv0 type ipvlan mode l2} runs
 * under {@code strace -e write=all} in a scratch namespace (the kernel refuses it, but the bytes
 * were sent), and the RTM_NEWLINK it sent must carry the same attributes, with the same values,
 * as nsunit's {@link LinkRequest#ipvlan}. On a kernel with ipvlan the same comparison holds, and
 * {@code dev.nsunit.LanNetworkTests} runs real traffic.
 */
class IpvlanRequestTests {
  private static final Pattern HEX_LINE = Pattern.compile("^\\s*\\|\\s*[0-9a-f]{5}\\s+((?:[0-9a-f]{2}\\s+){1,16})");

  @Test
  void nsunitEncodesWhatIproute2Sends() throws Exception {
    assumeThat(onPath("strace")).as("strace is installed (ci/install-deps.sh installs it)").isTrue();
    byte[] iproute2;
    try (Netns scratch = Netns.create("ipvlan capture")) {
      Process p = scratch.start(new ProcessBuilder("strace", "-e", "trace=sendmsg,sendto", "-e", "write=all",
          "ip", "link", "add", "link", "lo", "name", "iv0", "type", "ipvlan", "mode", "l2").redirectErrorStream(true));
      String out;
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      iproute2 = message(out, RTM_NEWLINK);
    }
    MessageBuilder m = new MessageBuilder();
    LinkRequest.ipvlan("iv0", 1, LinkRequest.IpvlanMode.L2).encode(m);
    byte[] nsunit = new byte[m.length()];
    m.buffer().duplicate().position(0).get(nsunit);

    Message theirs = Message.parseAll(ByteBuffer.wrap(iproute2).order(ByteOrder.nativeOrder()), iproute2.length).get(0);
    Message ours = Message.parseAll(ByteBuffer.wrap(nsunit).order(ByteOrder.nativeOrder()), nsunit.length).get(0);
    assertThat(ours.type()).isEqualTo(theirs.type()).isEqualTo(RTM_NEWLINK);
    assertThat(ours.flags()).as("NLM_F_REQUEST | ACK | CREATE | EXCL").isEqualTo(theirs.flags());
    Attributes a = theirs.attributes(IfInfoMsg.SIZE);
    Attributes b = ours.attributes(IfInfoMsg.SIZE);
    assertThat(b.string(IFLA_IFNAME)).isEqualTo(a.string(IFLA_IFNAME)).isEqualTo("iv0");
    assertThat(b.u32(IFLA_LINK, -1)).as("the parent, lo").isEqualTo(a.u32(IFLA_LINK, -2)).isEqualTo(1);
    Attributes theirInfo = a.nested(IFLA_LINKINFO);
    Attributes ourInfo = b.nested(IFLA_LINKINFO);
    assertThat(ourInfo.string(IFLA_INFO_KIND)).isEqualTo(theirInfo.string(IFLA_INFO_KIND)).isEqualTo("ipvlan");
    assertThat(dump(ourInfo.nested(IFLA_INFO_DATA))).as("IFLA_IPVLAN_MODE (l2 = 0) and IFLA_IPVLAN_FLAGS (bridge = 0)")
        .isEqualTo(dump(theirInfo.nested(IFLA_INFO_DATA)))
        .containsOnlyKeys(LinkRequest.IFLA_IPVLAN_MODE, LinkRequest.IFLA_IPVLAN_FLAGS);
  }

  /** Every attribute of {@code a}, by type, as its value bytes. */
  private static Map<Integer, String> dump(Attributes a) {
    Map<Integer, String> out = new TreeMap<>();
    for (int type = 1; type < 64; type++) {
      if (a.has(type)) {
        out.put(type, Arrays.toString(a.bytes(type)));
      }
    }
    return out;
  }

  /**
   * The bytes of the first message of {@code type} with NLM_F_CREATE (iproute2 first sends an
   * empty RTM_NEWLINK to probe the kernel), from strace's hex dumps of what the program sent.
   */
  static byte[] message(String strace, int type) {
    List<byte[]> messages = new ArrayList<>();
    ByteArrayOutputStream current = null;
    for (String line : strace.split("\n", -1)) {
      Matcher m = HEX_LINE.matcher(line);
      if (m.find()) {
        if (current == null) {
          current = new ByteArrayOutputStream();
        }
        for (String hex : m.group(1).trim().split("\\s+", -1)) {
          current.write(Integer.parseInt(hex, 16));
        }
      } else if (current != null) {
        messages.add(current.toByteArray());
        current = null;
      }
    }
    if (current != null) {
      messages.add(current.toByteArray());
    }
    for (byte[] msg : messages) {
      ByteBuffer b = ByteBuffer.wrap(msg).order(ByteOrder.nativeOrder());
      if (msg.length >= 16 && (b.getShort(4) & 0xffff) == type && (b.getShort(6) & 0x400) != 0) {
        return msg;
      }
    }
    throw new AssertionError("no message of type " + type + " with NLM_F_CREATE in strace's output:\n" + strace);
  }

  private static boolean onPath(String program) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator, -1)) {
      if (new File(dir, program).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
