package dev.nsunit.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.Inet6Address;
import java.net.InetAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpPrefixTests {

  private static InetAddress ip(String literal) {
    return InetAddresses.parse(literal);
  }

  @Test
  void ipv4Network() {
    IpPrefix p = IpPrefix.parse("172.17.0.0/16");

    assertThat(p.address()).isEqualTo(ip("172.17.0.0"));
    assertThat(p.length()).isEqualTo(16);
    assertThat(p.isIpv6()).isFalse();
    assertThat(p.isNetwork()).isTrue();
    assertThat(p.network()).isEqualTo(ip("172.17.0.0"));
    assertThat(p.broadcast()).isEqualTo(ip("172.17.255.255"));
    assertThat(p.size()).isEqualTo(65536);
    assertThat(p.offset(2)).isEqualTo(ip("172.17.0.2"));
    assertThat(p.offset(65535)).isEqualTo(ip("172.17.255.255"));
    assertThat(p.contains(ip("172.17.200.9"))).isTrue();
    assertThat(p.contains(ip("172.18.0.1"))).isFalse();
    assertThat(p.contains(ip("::ac11:1"))).as("other family").isFalse();
    assertThat(p.contains(IpPrefix.parse("172.17.3.0/24"))).isTrue();
    assertThat(p.contains(IpPrefix.parse("172.16.0.0/12"))).isFalse();
    assertThat(p).hasToString("172.17.0.0/16");
  }

  @Test
  void interfaceStyleAddressWithHostBitsIsNotANetwork() {
    IpPrefix p = IpPrefix.parse("172.17.0.3/16");

    assertThat(p.isNetwork()).isFalse();
    assertThat(p.network()).isEqualTo(ip("172.17.0.0"));
    assertThat(p.offset(1)).as("offsets count from the network").isEqualTo(ip("172.17.0.1"));
    assertThat(p).as("keeps the address as written").hasToString("172.17.0.3/16");
    assertThat(p).isNotEqualTo(IpPrefix.parse("172.17.0.0/16"));
  }

  @Test
  void bareAddressIsAHostPrefix() {
    assertThat(IpPrefix.parse("192.0.2.1")).isEqualTo(new IpPrefix(ip("192.0.2.1"), 32));
    assertThat(IpPrefix.parse("fd00::1")).isEqualTo(new IpPrefix(ip("fd00::1"), 128));
    assertThat(IpPrefix.parse("192.0.2.1").size()).isEqualTo(1);
  }

  @Test
  void prefixesOverlapWhenOneContainsTheOthersNetwork() {
    assertThat(IpPrefix.parse("10.0.0.0/8").overlaps(IpPrefix.parse("10.9.0.0/24"))).isTrue();
    assertThat(IpPrefix.parse("10.9.0.0/24").overlaps(IpPrefix.parse("10.0.0.0/8"))).isTrue();
    assertThat(IpPrefix.parse("10.9.0.0/24").overlaps(IpPrefix.parse("10.9.1.0/24"))).isFalse();
    assertThat(IpPrefix.parse("fd00:101::/64").overlaps(IpPrefix.parse("fd00:101::/80"))).isTrue();
    assertThat(IpPrefix.parse("0.0.0.0/0").overlaps(IpPrefix.parse("::/0"))).as("families never overlap").isFalse();
  }

  @Test
  void zeroLengthPrefixesContainTheirWholeFamily() {
    IpPrefix v4 = IpPrefix.parse("0.0.0.0/0");
    IpPrefix v6 = IpPrefix.parse("::/0");

    assertThat(v4.isNetwork()).isTrue();
    assertThat(v4.contains(ip("203.0.113.77"))).isTrue();
    assertThat(v4.broadcast()).isEqualTo(ip("255.255.255.255"));
    assertThat(v4.size()).isEqualTo(1L << 32);
    assertThat(v6.contains(ip("2001:db8::1"))).isTrue();
    assertThat(v6.contains(ip("198.51.100.1"))).isFalse();
    assertThat(v6.size()).as("saturated").isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void ipv6Prefix() {
    IpPrefix p = IpPrefix.parse("fd00:0:0:1::/64");

    assertThat(p.isIpv6()).isTrue();
    assertThat(p.address()).isInstanceOf(Inet6Address.class);
    assertThat(p.isNetwork()).isTrue();
    assertThat(p.contains(ip("fd00:0:0:1:ffff::9"))).isTrue();
    assertThat(p.contains(ip("fd00:0:0:2::1"))).isFalse();
    assertThat(p.offset(0x10)).isEqualTo(ip("fd00:0:0:1::10"));
    assertThat(IpPrefix.parse("[fd00::5]/120").network()).isEqualTo(ip("fd00::"));
    assertThat(p).hasToString("fd00:0:0:1::/64");
  }

  @Test
  void offsetOutsideThePrefixIsRefused() {
    IpPrefix p = IpPrefix.parse("198.51.100.0/30");

    assertThatThrownBy(() -> p.offset(4)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("offset 4 lies outside 198.51.100.0/30");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', textBlock = """
      172.17.0.0/33      | "172.17.0.0/33" has prefix length 33; the maximum is 32
      2001:db8::/129     | "2001:db8::/129" has prefix length 129; the maximum is 128
      172.17.0.0/        | "172.17.0.0/" has no valid prefix length after '/'
      172.17.0.0/-1      | "172.17.0.0/-1" has no valid prefix length after '/'
      172.17.0.0/1e1     | "172.17.0.0/1e1" has no valid prefix length after '/'
      172.17.0.0/1000    | "172.17.0.0/1000" has no valid prefix length after '/'
      172.17.0.0/16/8    | "172.17.0.0/16/8" has no valid prefix length after '/'
      300.1.1.0/24       | "300.1.1.0" is not an IPv4 address: 300 > 255
      172.17.0/16        | "172.17.0" is not an IPv4 address (expected a.b.c.d)
      db.example/24      | "db.example" is not an IPv4 address (expected a.b.c.d)
      /24                | empty IP address
      """)
  void invalidPrefixNamesTheProblem(String cidr, String message) {
    assertThatThrownBy(() -> IpPrefix.parse(cidr)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void nullAndOutOfRangeConstruction() {
    assertThatThrownBy(() -> IpPrefix.parse(null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CIDR is null");
    assertThatThrownBy(() -> new IpPrefix(ip("192.0.2.0"), 33)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefix length 33 is outside 0..32");
    assertThatThrownBy(() -> new IpPrefix(ip("::"), -1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefix length -1 is outside 0..128");
  }
}
