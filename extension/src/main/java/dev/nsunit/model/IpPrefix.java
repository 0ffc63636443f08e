package dev.nsunit.model;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 prefix in CIDR notation, e.g. {@code 172.17.0.0/16} or {@code fd00::/64}. The
 * address part may have host bits set ({@code 172.17.0.3/16}, as on an interface); use
 * {@link #isNetwork()} to require a network address.
 *
 * @param address the address as written
 * @param length the prefix length, 0 to 32 (IPv4) or 0 to 128 (IPv6)
 */
public record IpPrefix(InetAddress address, int length) {

  /** Validates the length against the address family. */
  public IpPrefix {
    int max = address.getAddress().length * 8;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("prefix length " + length + " is outside 0.." + max);
    }
  }

  /** The prefix every address of a family falls in: {@code 0.0.0.0/0}, or {@code ::/0} if {@code ipv6}. */
  public static IpPrefix anyOf(boolean ipv6) {
    try {
      return new IpPrefix(InetAddress.getByAddress(new byte[ipv6 ? 16 : 4]), 0);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // only thrown for a wrong length
    }
  }

  /**
   * Parses {@code a.b.c.d/n} or {@code ipv6/n}. A bare address means a host prefix (/32, /128).
   *
   * @throws IllegalArgumentException naming what is wrong
   */
  public static IpPrefix parse(String cidr) {
    if (cidr == null) {
      throw new IllegalArgumentException("CIDR is null");
    }
    int slash = cidr.indexOf('/');
    InetAddress address = InetAddresses.parse(slash < 0 ? cidr : cidr.substring(0, slash));
    int max = address.getAddress().length * 8;
    if (slash < 0) {
      return new IpPrefix(address, max);
    }
    String len = cidr.substring(slash + 1);
    if (len.isEmpty() || len.length() > 3 || !len.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("\"" + cidr + "\" has no valid prefix length after '/'");
    }
    int n = Integer.parseInt(len);
    if (n > max) {
      throw new IllegalArgumentException("\"" + cidr + "\" has prefix length " + n + "; the maximum is " + max);
    }
    return new IpPrefix(address, n);
  }

  /** Whether this is IPv6. */
  public boolean isIpv6() {
    return address.getAddress().length == 16;
  }

  /** The network address (host bits cleared). */
  public InetAddress network() {
    return toAddress(mask(address.getAddress(), length, false));
  }

  /** The IPv4 broadcast address (all host bits set). */
  public InetAddress broadcast() {
    return toAddress(mask(address.getAddress(), length, true));
  }

  /** Whether the written address is the network address, i.e. has no host bits set. */
  public boolean isNetwork() {
    return network().equals(address);
  }

  /** Whether {@code other} lies inside this prefix. */
  public boolean contains(InetAddress other) {
    byte[] o = other.getAddress();
    if (o.length != address.getAddress().length) {
      return false;
    }
    return Arrays.equals(mask(o, length, false), mask(address.getAddress(), length, false));
  }

  /**
   * Whether this prefix and {@code other} share an address: one of them contains the other's
   * network address (prefixes never overlap in part). Prefixes of different families never overlap.
   */
  public boolean overlaps(IpPrefix other) {
    return contains(other.network()) || other.contains(network());
  }

  /** Whether {@code other} is wholly inside this prefix. */
  public boolean contains(IpPrefix other) {
    return other.length >= length && contains(other.address);
  }

  /** The {@code n}-th address of the network (0 is the network address itself). */
  public InetAddress offset(long n) {
    BigInteger base = new BigInteger(1, mask(address.getAddress(), length, false));
    byte[] raw = base.add(BigInteger.valueOf(n)).toByteArray();
    byte[] out = new byte[address.getAddress().length];
    int copy = Math.min(raw.length, out.length);
    System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
    InetAddress result = toAddress(out);
    if (!contains(result)) {
      throw new IllegalArgumentException("offset " + n + " lies outside " + this);
    }
    return result;
  }

  /** The number of addresses in the prefix, saturated at {@code Long.MAX_VALUE}. */
  public long size() {
    int hostBits = address.getAddress().length * 8 - length;
    return hostBits >= 63 ? Long.MAX_VALUE : 1L << hostBits;
  }

  private static byte[] mask(byte[] in, int length, boolean setHostBits) {
    byte[] out = in.clone();
    for (int bit = length; bit < out.length * 8; bit++) {
      int i = bit / 8;
      int m = 0x80 >>> (bit % 8);
      out[i] = (byte) (setHostBits ? out[i] | m : out[i] & ~m);
    }
    return out;
  }

  private static InetAddress toAddress(byte[] raw) {
    try {
      return InetAddress.getByAddress(raw);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /** {@code address/length}, as iproute2 writes it. */
  @Override
  public String toString() {
    return InetAddresses.format(address) + "/" + length;
  }
}
