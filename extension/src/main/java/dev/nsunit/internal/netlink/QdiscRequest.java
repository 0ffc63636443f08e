package dev.nsunit.internal.netlink;

import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_ACK;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_CREATE;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_EXCL;
import static dev.nsunit.internal.netlink.NetlinkConstants.NLM_F_REQUEST;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;

/**
 * A root queueing discipline of a link, added or deleted over rtnetlink: what {@code tc qdisc}
 * does: the token bucket filter (tbf), the rate limiter every kernel has, and netem's delay where
 * the kernel has netem ({@link KernelFeatures#hasQdisc}).
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
  static final int TCA_NETEM_LATENCY64 = 10;
  static final int TCA_NETEM_JITTER64 = 11;
  /** netem's queue, in packets: tc's default. */
  static final int NETEM_LIMIT = 1000;
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
  private final long delayNanos; // netem when >= 0
  private final long jitterNanos;

  private QdiscRequest(int index, long delayNanos, long jitterNanos) {
    this(true, index, 0, delayNanos, jitterNanos);
  }

  private QdiscRequest(boolean add, int index, long bitsPerSecond) {
    this(add, index, bitsPerSecond, -1, 0);
  }

  private QdiscRequest(boolean add, int index, long bitsPerSecond, long delayNanos, long jitterNanos) {
    if (index <= 0) {
      throw new IllegalArgumentException("a qdisc belongs to a link, named by its ifindex (> 0), not " + index);
    }
    this.add = add;
    this.index = index;
    this.bitsPerSecond = bitsPerSecond;
    long bytesPerSecond = bitsPerSecond / 8;
    this.burst = (int) Math.max(MIN_BURST, Math.min(bytesPerSecond / 100, 1 << 20)); // 10 ms of traffic
    this.limit = (int) Math.min(Integer.MAX_VALUE, bytesPerSecond * QUEUE_MILLIS / 1000 + burst);
    this.delayNanos = delayNanos;
    this.jitterNanos = jitterNanos;
  }

  /**
   * Delays what the link sends by {@code delay}, each packet by a value within {@code delay ±
   * jitter}, with netem (kernels with CONFIG_NET_SCH_NETEM). Equivalent to: {@code tc qdisc add
   * dev IF root netem delay D J} (a queue of 1000 packets, tc's default).
   */
  public static QdiscRequest netem(int index, Duration delay, Duration jitter) {
    if (delay.isNegative() || jitter.isNegative()) {
      throw new IllegalArgumentException("a delay and its jitter cannot be negative: " + delay + " ± " + jitter);
    }
    return new QdiscRequest(index, delay.toNanos(), jitter.toNanos());
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
    if (delayNanos >= 0) {
      // struct tc_netem_qopt, then (inside TCA_OPTIONS, not nested further) the 64-bit times, which
      // override the struct's psched ticks (PSCHED_SHIFT 6: a tick is 64 ns)
      ByteBuffer qopt = ByteBuffer.allocate(24).order(ByteOrder.nativeOrder());
      qopt.putInt(0, (int) Math.min(delayNanos >> 6, 0xffffffffL)).putInt(4, NETEM_LIMIT)
          .putInt(20, (int) Math.min(jitterNanos >> 6, 0xffffffffL));
      m.begin(RTM_NEWQDISC, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, this)
          .struct(new TcMsg(index, 0, TcMsg.ROOT))
          .attrString(TCA_KIND, "netem");
      int options = m.beginNestedPlain(TCA_OPTIONS);
      m.raw(qopt.array())
          .attr(TCA_NETEM_LATENCY64, s64(delayNanos))
          .attr(TCA_NETEM_JITTER64, s64(jitterNanos));
      m.endNested(options).end();
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

  private static byte[] s64(long value) {
    return ByteBuffer.allocate(8).order(ByteOrder.nativeOrder()).putLong(0, value).array();
  }

  /** The tc command this request is equivalent to. */
  @Override
  public String toString() {
    if (delayNanos >= 0) {
      return "tc qdisc add dev if" + index + " root netem delay " + delayNanos / 1_000 + "us " + jitterNanos / 1_000 + "us";
    }
    return add
        ? "tc qdisc add dev if" + index + " root tbf rate " + bitsPerSecond + "bit burst " + burst + "b limit " + limit + "b"
        : "tc qdisc del dev if" + index + " root";
  }
}
