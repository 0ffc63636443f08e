package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.nsunit.internal.ns.Netns;
import java.io.File;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * netem, where a kernel has it, delays frames in the kernel instead of nsunit's frame relay. This
 * machine's kernel has none, so the request is proven like ipvlan's: tc's {@code tc qdisc add
 * dev lo root netem delay 50ms 10ms} runs under {@code strace -e write=all} in a scratch
 * namespace (the kernel refuses it, but the bytes were sent), and nsunit's
 * {@link QdiscRequest#netem} must ask for the same: the same message type and flags, on the same
 * link and parent, kind {@code netem}, and the same effective delay, jitter and queue limit. The
 * probe's answer is checked against tc's too.
 */
class NetemRequestTests {

  @Test
  void nsunitEncodesWhatTcSendsAndTheProbeAgreesWithTc() throws Exception {
    assumeThat(new File("/usr/bin/strace").canExecute() || new File("/bin/strace").canExecute())
        .as("strace is installed (ci/install-deps.sh installs it)").isTrue();
    String out;
    int exit;
    try (Netns scratch = Netns.create("netem capture")) {
      Process p = scratch.start(new ProcessBuilder("strace", "-e", "trace=sendmsg,sendto", "-e", "write=all",
          "tc", "qdisc", "add", "dev", "lo", "root", "netem", "delay", "50ms", "10ms").redirectErrorStream(true));
      try (InputStream in = p.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      exit = p.exitValue();
    }
    assertThat(KernelFeatures.hasQdisc("netem")).as("the probe, against tc's own result:%n%s", out).isEqualTo(exit == 0);

    byte[] tc = IpvlanRequestTests.message(out, QdiscRequest.RTM_NEWQDISC);
    MessageBuilder m = new MessageBuilder();
    QdiscRequest.netem(1, Duration.ofMillis(50), Duration.ofMillis(10)).encode(m);
    byte[] nsunit = new byte[m.length()];
    m.buffer().duplicate().position(0).get(nsunit);

    Message theirs = Message.parseAll(ByteBuffer.wrap(tc).order(ByteOrder.nativeOrder()), tc.length).get(0);
    Message ours = Message.parseAll(ByteBuffer.wrap(nsunit).order(ByteOrder.nativeOrder()), nsunit.length).get(0);
    assertThat(ours.type()).isEqualTo(theirs.type()).isEqualTo(QdiscRequest.RTM_NEWQDISC);
    assertThat(ours.flags()).as("NLM_F_REQUEST | ACK | CREATE | EXCL").isEqualTo(theirs.flags());
    ByteBuffer theirMsg = theirs.payload();
    ByteBuffer ourMsg = ours.payload();
    assertThat(ourMsg.getInt(ourMsg.position() + 4)).as("tcm_ifindex: lo").isEqualTo(theirMsg.getInt(theirMsg.position() + 4))
        .isEqualTo(1);
    assertThat(ourMsg.getInt(ourMsg.position() + 12)).as("tcm_parent: root")
        .isEqualTo(theirMsg.getInt(theirMsg.position() + 12)).isEqualTo(TcMsg.ROOT);
    Attributes a = theirs.attributes(TcMsg.SIZE);
    Attributes b = ours.attributes(TcMsg.SIZE);
    assertThat(b.string(QdiscRequest.TCA_KIND)).isEqualTo(a.string(QdiscRequest.TCA_KIND)).isEqualTo("netem");
    Netem theirNetem = Netem.of(a.bytes(QdiscRequest.TCA_OPTIONS));
    Netem ourNetem = Netem.of(b.bytes(QdiscRequest.TCA_OPTIONS));
    assertThat(ourNetem).isEqualTo(theirNetem).isEqualTo(new Netem(50_000_000, 10_000_000, 1000));
  }

  /** What netem does with TCA_OPTIONS: the 64-bit times override the struct's ticks (64 ns each). */
  record Netem(long delayNanos, long jitterNanos, int limit) {
    static Netem of(byte[] options) {
      ByteBuffer b = ByteBuffer.wrap(options).order(ByteOrder.nativeOrder());
      long delay = Integer.toUnsignedLong(b.getInt(0)) << 6;
      long jitter = Integer.toUnsignedLong(b.getInt(20)) << 6;
      int limit = b.getInt(4);
      for (int at = 24; at + 4 <= options.length; ) {
        int len = b.getShort(at) & 0xffff;
        int type = b.getShort(at + 2) & 0x3fff;
        if (type == QdiscRequest.TCA_NETEM_LATENCY64) {
          delay = b.getLong(at + 4);
        } else if (type == QdiscRequest.TCA_NETEM_JITTER64) {
          jitter = b.getLong(at + 4);
        }
        at += (len + 3) & ~3;
      }
      return new Netem(delay, jitter, limit);
    }
  }
}
