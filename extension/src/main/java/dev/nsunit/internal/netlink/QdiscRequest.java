package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A root queueing discipline of a link, added or deleted over rtnetlink: what {@code tc qdisc}
 * does. Only the token bucket filter (tbf), the rate limiter every kernel has.
 *
 * <pre>{@code
 * QdiscRequest.tbf(index, 10_000_000L).sendOn(rtnetlink); // tc qdisc add dev IF root tbf rate 10mbit ...
 * QdiscRequest.deleteRoot(index).sendOn(rtnetlink);       // tc qdisc del dev IF root
 * }</pre>
 */
public final class QdiscRequest {
  static final int RTM_NEWQDISC = 36;
  static final int RTM_DELQDISC = 37;
  static final int TCA_KIND = 1;
  static final int TCA_OPTIONS = 2;
  static final int TCA_TBF_PARMS = 1;
  static final int TCA_TBF_RATE64 = 4;
  static final int TCA_TBF_BURST = 6;
  static final int TC_LINKLAYER_ETHERNET = 1;
  /** How long a full queue takes to drain: tc's {@code latency}, which sets the queue's length. */
  static final int QUEUE_MILLIS = 100;
  /** The smallest bucket: a few full-size frames, so a slow rate still passes a 1500-byte frame whole. */
  static final int MIN_BURST = 16 * 1024;

  private final boolean add;
  private final int index;
  private final long bitsPerSecond;
  private final int burst;
  private final int limit;

  private QdiscRequest(boolean add, int index, long bitsPerSecond) {
    if (index <= 0) {
      throw new IllegalArgumentException("a qdisc belongs to a link, named by its ifindex (> 0), not " + index);
    }
    this.add = add;
    this.index = index;
    this.bitsPerSecond = bitsPerSecond;
    long bytesPerSecond = bitsPerSecond / 8;
    this.burst = (int) Math.max(MIN_BURST, Math.min(bytesPerSecond / 100, 1 << 20)); // 10 ms of traffic
    this.limit = (int) Math.min(Integer.MAX_VALUE, bytesPerSecond * QUEUE_MILLIS / 1000 + burst);
  }

  /**
   * Limits what the link sends to {@code bitsPerSecond}, counting whole Ethernet frames. The
   * bucket holds 10 ms of traffic (at least 16 KiB), the queue 100 ms more; beyond that frames
   * are dropped. Equivalent to: {@code tc qdisc add dev IF root tbf rate RATEbit burst B limit L}.
   */
  public static QdiscRequest tbf(int index, long bitsPerSecond) {
    if (bitsPerSecond < 8_000) {
      throw new IllegalArgumentException("a rate limit is at least 8000 bit/s (1000 bytes a second), not "
          + bitsPerSecond);
    }
    return new QdiscRequest(true, index, bitsPerSecond);
  }

  /** Deletes the link's root qdisc; the link gets its default back. Equivalent to: {@code tc qdisc del dev IF root}. */
  public static QdiscRequest deleteRoot(int index) {
    return new QdiscRequest(false, index, 0);
  }

  /** Sends the request on {@code rtnetlink} (in the link's namespace) and waits for its ACK. */
  public void sendOn(Rtnetlink rtnetlink) {
    rtnetlink.socket().execute(this::encode);
  }

  void encode(MessageBuilder m) {
    if (!add) {
      m.begin(RTM_DELQDISC, NLM_F_REQUEST | NLM_F_ACK, this).struct(new TcMsg(index, 0, TcMsg.ROOT)).end();
      return;
    }
    long bytesPerSecond = bitsPerSecond / 8;
    ByteBuffer qopt = ByteBuffer.allocate(36).order(ByteOrder.nativeOrder()); // struct tc_tbf_qopt
    qopt.put(0, (byte) 0).put(1, (byte) TC_LINKLAYER_ETHERNET); // rate: cell_log, linklayer (no rate table then)
    qopt.putInt(8, (int) Math.min(bytesPerSecond, 0xffffffffL)); // rate.rate; above 4 GB/s TCA_TBF_RATE64 says
    qopt.putInt(24, limit); // peakrate (12..23) stays 0: none
    m.begin(RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, this)
        .struct(new TcMsg(index, 0, TcMsg.ROOT))
        .attrString(TCA_KIND, "tbf");
    int options = m.beginNested(TCA_OPTIONS);
    m.attr(TCA_TBF_PARMS, qopt.array()).attrU32(TCA_TBF_BURST, burst);
    if (bytesPerSecond > 0xffffffffL) {
      m.attr(TCA_TBF_RATE64, ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, bytesPerSecond).array());
    }
    m.endNested(options).end();
  }

  /** The tc command this request is equivalent to. */
  @Override
  public String toString() {
    return add
        ? "tc qdisc add dev if" + index + " root tbf rate " + bitsPerSecond + "bit burst " + burst + "b limit " + limit + "b"
        : "tc qdisc del dev if" + index + " root";
  }
}
