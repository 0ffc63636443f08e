package dev.nsunit;

import dev.nsunit.model.IpPrefix;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The IPv4 ranges a bridge network must not use, from IANA's special-purpose address registry
 * (RFC 6890 and its updates) plus multicast: addresses that mean something to every host and
 * router (this network, loopback, link-local, multicast, broadcast) or belong to an anycast
 * service. What Docker users pick for their networks stays allowed: the private ranges
 * (10/8, 172.16/12, 192.168/16), shared address space (100.64/10, as CGNAT), the documentation
 * ranges (192.0.2/24, 198.51.100/24, 203.0.113/24, which nsunit's own "outside world" uses) and
 * benchmarking (198.18/15). Public ranges stay allowed too: the lab never routes out.
 */
final class SpecialPurposeRanges {

  /** A refused range and what it is, e.g. "the loopback range (RFC 1122)". */
  record Range(IpPrefix prefix, String what) {
    @Override
    public String toString() {
      return prefix + ", " + what;
    }
  }

  /** Ordered by address, so that the first overlapped range is the same on every run. */
  private static final List<Range> REFUSED = List.of(
      range("0.0.0.0/8", "the \"this network\" range (RFC 791)"),
      range("127.0.0.0/8", "the loopback range (RFC 1122)"),
      range("169.254.0.0/16", "the link-local range (RFC 3927)"),
      range("192.0.0.0/24", "the IETF protocol assignments range (RFC 6890)"),
      range("192.31.196.0/24", "the AS112 anycast range (RFC 7535)"),
      range("192.52.193.0/24", "the AMT anycast range (RFC 7450)"),
      range("192.88.99.0/24", "the former 6to4 relay anycast range (RFC 7526)"),
      range("192.175.48.0/24", "the AS112 direct delegation range (RFC 7534)"),
      range("224.0.0.0/4", "the multicast range (RFC 5771)"),
      range("240.0.0.0/4", "the reserved range (RFC 1112) with the limited broadcast address 255.255.255.255"));

  private SpecialPurposeRanges() {}

  private static Range range(String cidr, String what) {
    return new Range(IpPrefix.parse(cidr), what);
  }

  /** Every refused range that {@code subnet} (a network address) overlaps, in address order. */
  static List<Range> overlapping(IpPrefix subnet) {
    return REFUSED.stream().filter(r -> r.prefix().overlaps(subnet)).collect(Collectors.toList());
  }

  /**
   * A private subnet of the same size to suggest instead (the largest private one, 10.0.0.0/8,
   * for anything larger). Never inside 172.17.0.0/16, the default {@code @BridgeNetwork} subnet,
   * so that following the advice does not cause an overlap.
   */
  static IpPrefix privateAlternative(int length) {
    return IpPrefix.parse((length < 16 ? "10.0.0.0/" + Math.max(8, length) : "172.18.0.0/" + length));
  }
}
