package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;
import static dev.nsunit.internal.netlink.NetlinkConstants.RTM_NEWLINK;

import dev.nsunit.internal.libc.Libc;

/**
 * Sets one of a link's IPv4 settings (the {@code net.ipv4.conf.IF.*} sysctls) through rtnetlink,
 * so that it works where {@code /proc/sys} is read-only: RTM_NEWLINK with
 * {@code IFLA_AF_SPEC { AF_INET { IFLA_INET_CONF { IPV4_DEVCONF_* } } }}.
 *
 * <pre>{@code
 * Ipv4DevConfRequest.forwarding(bridgeIndex, true).sendOn(rtnetlink);
 * }</pre>
 */
public final class Ipv4DevConfRequest {
  /** {@code IFLA_AF_SPEC} from linux/if_link.h. */
  static final int IFLA_AF_SPEC = 26;
  /** {@code IFLA_INET_CONF} from linux/if_link.h. */
  static final int IFLA_INET_CONF = 1;
  /** {@code IPV4_DEVCONF_FORWARDING} from linux/ip.h. */
  static final int IPV4_DEVCONF_FORWARDING = 1;

  private final int index;
  private final int setting;
  private final int value;
  private final String sysctl;

  private Ipv4DevConfRequest(int index, int setting, int value, String sysctl) {
    this.index = index;
    this.setting = setting;
    this.value = value;
    this.sysctl = sysctl;
  }

  /**
   * Turns IPv4 forwarding on or off for packets that arrive on link {@code index}. Equivalent to:
   * {@code sysctl -w net.ipv4.conf.IF.forwarding=1}.
   */
  public static Ipv4DevConfRequest forwarding(int index, boolean on) {
    return new Ipv4DevConfRequest(index, IPV4_DEVCONF_FORWARDING, on ? 1 : 0, "forwarding");
  }

  /** Sends the request on {@code rtnetlink} and waits for its ACK. */
  public void sendOn(Rtnetlink rtnetlink) {
    rtnetlink.socket().execute(this::encode);
  }

  void encode(MessageBuilder m) {
    m.begin(RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, this).struct(IfInfoMsg.of(index));
    int spec = m.beginNested(IFLA_AF_SPEC);
    int inet = m.beginNested(Libc.AF_INET);
    int conf = m.beginNested(IFLA_INET_CONF);
    m.attrU32(setting, value).endNested(conf).endNested(inet).endNested(spec).end();
  }

  /** The command this request is equivalent to. */
  @Override
  public String toString() {
    return "sysctl -w net.ipv4.conf.if" + index + "." + sysctl + "=" + value;
  }
}
