package dev.nsunit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class InetAddressesTests {

  @Test
  void parsesLiteralsOfBothFamilies() throws Exception {
    assertThat(InetAddresses.parse("192.0.2.1")).isInstanceOf(Inet4Address.class)
        .isEqualTo(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, 1}));
    assertThat(InetAddresses.parse("::1")).isInstanceOf(Inet6Address.class)
        .isEqualTo(InetAddress.getByAddress(new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}));
    assertThat(InetAddresses.parse("[fd00::1]")).isEqualTo(InetAddresses.parse("fd00::1"));
    assertThat(InetAddresses.parse("FD00::A")).isEqualTo(InetAddresses.parse("fd00::a"));
    assertThat(InetAddresses.version(InetAddresses.parse("203.0.113.5"))).isEqualTo(4);
    assertThat(InetAddresses.version(InetAddresses.parse("2001:db8::5"))).isEqualTo(6);
  }

  @Test
  void ipv4MappedIpv6CollapsesToIpv4AsTheJdkDoes() {
    assertThat(InetAddresses.parse("::ffff:198.51.100.7")).isInstanceOf(Inet4Address.class)
        .isEqualTo(InetAddresses.parse("198.51.100.7"));
  }

  /**
   * Names that a resolver would answer (localhost is in /etc/hosts) or try to (any other name)
   * are refused by InetAddresses' own checks, before the JDK could look anything up: the
   * exception has no UnknownHostException cause.
   */
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"localhost", "example.invalid", "db", "1.2.3.4.example", ".:1", ".::1"})
  void nonLiteralsAreRefusedWithoutAnyLookup(String name) {
    assertThatThrownBy(() -> InetAddresses.parse(name)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("\"" + name + "\" is not an ")
        .hasNoCause();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      1.2.3            | "1.2.3" is not an IPv4 address (expected a.b.c.d)
      1.2.3.4.5        | "1.2.3.4.5" is not an IPv4 address (expected a.b.c.d)
      1..3.4           | "1..3.4" is not an IPv4 address (expected a.b.c.d)
      1.2.3.-4         | "1.2.3.-4" is not an IPv4 address (expected a.b.c.d)
      256.0.0.1        | "256.0.0.1" is not an IPv4 address: 256 > 255
      fe80::1%eth0     | "fe80::1%eth0" is not an IP address literal
      ::g              | "::g" is not an IP address literal
      1::2::3          | "1::2::3" is not an IPv6 address literal
      12345::          | "12345::" is not an IPv6 address literal
      """)
  void malformedLiteralsNameTheProblem(String text, String message) {
    assertThatThrownBy(() -> InetAddresses.parse(text)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void emptyOrNull() {
    assertThatThrownBy(() -> InetAddresses.parse("")).hasMessage("empty IP address");
    assertThatThrownBy(() -> InetAddresses.parse(null)).hasMessage("empty IP address");
  }

  /** RFC 5952 section 4: no leading zeros, longest zero run (first on a tie) as ::, never one group. */
  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(delimiter = '|', textBlock = """
      2001:0db8:0000:0000:0000:0000:0000:0001 | 2001:db8::1
      2001:db8:0:0:1:0:0:1                    | 2001:db8::1:0:0:1
      2001:0:0:1:0:0:0:1                      | 2001:0:0:1::1
      2001:db8:0:1:1:1:1:1                    | 2001:db8:0:1:1:1:1:1
      2001:DB8:0:0:0:0:0:ABCD                 | 2001:db8::abcd
      0:0:0:0:0:0:0:0                         | ::
      0:0:0:0:0:0:0:1                         | ::1
      1:0:0:0:0:0:0:0                         | 1::
      0:0:1:0:0:0:0:0                         | 0:0:1::
      1:0:1:0:1:0:1:0                         | 1:0:1:0:1:0:1:0
      fe80:0:0:0:42:acff:fe11:2               | fe80::42:acff:fe11:2
      ff02:0:0:0:0:0:0:fb                     | ff02::fb
      """)
  void formatsIpv6LikeRfc5952(String written, String canonical) throws Exception {
    // getByAddress so that format() is tested independently of parse().
    InetAddress a = InetAddress.getByAddress(InetAddress.getByName(written).getAddress());

    assertThat(InetAddresses.format(a)).isEqualTo(canonical);
  }

  @Test
  void formatsIpv4AsADottedQuad() {
    assertThat(InetAddresses.format(InetAddresses.parse("198.51.100.0"))).isEqualTo("198.51.100.0");
  }
}
