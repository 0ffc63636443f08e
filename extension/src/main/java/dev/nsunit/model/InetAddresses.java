package dev.nsunit.model;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Parses and formats IP address literals without ever touching DNS: a string that is not a
 * literal is rejected instead of being looked up.
 */
public final class InetAddresses {
  private InetAddresses() {}

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal (optionally in brackets).
   *
   * @throws IllegalArgumentException if {@code text} is not an IP address literal
   */
  public static InetAddress parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("empty IP address");
    }
    String t = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
    if (t.indexOf(':') < 0) {
      return parseIpv4(text, t);
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      // The JDK parses a literal only when it starts with a hex digit or ':'; anything else
      // (here: a leading '.', as in ".:1") would go to the resolver.
      if (!(c == ':' || (c == '.' && i > 0) || Character.digit(c, 16) >= 0)) {
        throw new IllegalArgumentException("\"" + text + "\" is not an IP address literal");
      }
    }
    try {
      InetAddress a = InetAddress.getByName(t); // a colon makes this a literal: no lookup happens
      if (a instanceof Inet4Address) { // ::ffff:1.2.3.4 collapses to IPv4; keep that IPv4
        return a;
      }
      return InetAddress.getByAddress(a.getAddress()); // drop any scope id
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an IPv6 address literal", e);
    }
  }

  private static InetAddress parseIpv4(String original, String t) {
    String[] parts = t.split("\\.", -1);
    if (parts.length != 4) {
      throw new IllegalArgumentException("\"" + original + "\" is not an IPv4 address (expected a.b.c.d)");
    }
    byte[] bytes = new byte[4];
    for (int i = 0; i < 4; i++) {
      String p = parts[i];
      if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
        throw new IllegalArgumentException("\"" + original + "\" is not an IPv4 address (expected a.b.c.d)");
      }
      int v = Integer.parseInt(p);
      if (v > 255) {
        throw new IllegalArgumentException("\"" + original + "\" is not an IPv4 address: " + v + " > 255");
      }
      bytes[i] = (byte) v;
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * Formats like iproute2 (inet_ntop): dotted quad, or RFC 5952 compressed IPv6, with the last
   * 32 bits dotted for IPv4-mapped ({@code ::ffff:127.0.0.1}) and IPv4-compatible addresses.
   */
  public static String format(InetAddress address) {
    if (address instanceof Inet4Address) {
      return address.getHostAddress();
    }
    return compressIpv6(address.getAddress());
  }

  private static String compressIpv6(byte[] a) {
    int[] words = new int[8];
    for (int i = 0; i < 8; i++) {
      words[i] = ((a[2 * i] & 0xff) << 8) | (a[2 * i + 1] & 0xff);
    }
    int bestStart = -1;
    int bestLen = 0;
    for (int i = 0; i < 8; ) {
      if (words[i] != 0) {
        i++;
        continue;
      }
      int j = i;
      while (j < 8 && words[j] == 0) {
        j++;
      }
      if (j - i > bestLen && j - i >= 2) {
        bestStart = i;
        bestLen = j - i;
      }
      i = j;
    }
    if (bestStart == 0 && (bestLen == 6 || (bestLen == 5 && words[5] == 0xffff))) {
      return (bestLen == 6 ? "::" : "::ffff:") + (a[12] & 0xff) + "." + (a[13] & 0xff) + "."
          + (a[14] & 0xff) + "." + (a[15] & 0xff);
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        sb.append("::");
        i += bestLen - 1;
        continue;
      }
      if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
        sb.append(':');
      }
      sb.append(Integer.toHexString(words[i]));
    }
    return sb.toString();
  }

  /** 4 for IPv4, 6 for IPv6. */
  public static int version(InetAddress address) {
    return address instanceof Inet6Address ? 6 : 4;
  }
}
