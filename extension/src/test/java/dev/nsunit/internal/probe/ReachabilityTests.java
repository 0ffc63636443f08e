package dev.nsunit.internal.probe;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.model.ProbeResult.Reason;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** The parts of the probes that need no namespace: errno mapping and the ICMP checksum. */
class ReachabilityTests {

  @Test
  void errnoNamesMapToReasons() {
    assertThat(Reason.fromErrnoName("ENETUNREACH")).isEqualTo(Reason.NETWORK_UNREACHABLE);
    assertThat(Reason.fromErrnoName("EHOSTUNREACH")).isEqualTo(Reason.HOST_UNREACHABLE);
    assertThat(Reason.fromErrnoName("ECONNREFUSED")).isEqualTo(Reason.CONNECTION_REFUSED);
    assertThat(Reason.fromErrnoName("ETIMEDOUT")).isEqualTo(Reason.TIMED_OUT);
    assertThat(Reason.fromErrnoName("EACCES")).isEqualTo(Reason.PROHIBITED);
    assertThat(Reason.fromErrnoName("EINVAL")).isEqualTo(Reason.OTHER);
    assertThat(Reason.NETWORK_UNREACHABLE).hasToString("Network is unreachable (ENETUNREACH)");
  }

  @Test
  void jdkExceptionMessagesMapToReasons() {
    assertThat(Reason.fromMessage("Network is unreachable")).isEqualTo(Reason.NETWORK_UNREACHABLE);
    assertThat(Reason.fromMessage("No route to host")).isEqualTo(Reason.HOST_UNREACHABLE);
    assertThat(Reason.fromMessage("Connection refused")).isEqualTo(Reason.CONNECTION_REFUSED);
    assertThat(Reason.fromMessage("Connect timed out")).isEqualTo(Reason.TIMED_OUT);
    assertThat(Reason.fromMessage("Permission denied")).isEqualTo(Reason.PROHIBITED);
    assertThat(Reason.fromMessage("Socket closed")).isEqualTo(Reason.OTHER);
  }

  @Test
  void internetChecksumMatchesRfc1071Example() {
    // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2; the checksum is its complement
    ByteBuffer b = ByteBuffer.wrap(new byte[] {0x00, 0x01, (byte) 0xf2, 0x03, (byte) 0xf4, (byte) 0xf5,
        (byte) 0xf6, (byte) 0xf7});
    assertThat(Reachability.checksum(b, 8)).isEqualTo(~0xddf2 & 0xffff);
    // a message carrying its own checksum sums to zero
    ByteBuffer withSum = ByteBuffer.allocate(10).put(b.array()).putShort((short) (~0xddf2 & 0xffff));
    assertThat(Reachability.checksum(withSum, 10)).isZero();
  }
}
