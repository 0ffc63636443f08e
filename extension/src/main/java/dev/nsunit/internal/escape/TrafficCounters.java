package dev.nsunit.internal.escape;

import java.util.Arrays;

/**
 * A namespace's counters of TCP connection setups and UDP datagrams, from its
 * {@code /proc/net/snmp} and {@code snmp6} (as {@code nstat} reads them): TCP
 * ActiveOpens and PassiveOpens (IPv4 and IPv6 share them), UDP InDatagrams and OutDatagrams for
 * IPv4 and IPv6. When none of them moved, no socket of the namespace made or accepted a TCP
 * connection or sent or received a datagram meanwhile.
 */
final class TrafficCounters {
  private final long[] values;

  private TrafficCounters(long[] values) {
    this.values = values;
  }

  /**
   * Reads the counters now from {@code snmp} and {@code snmp6} (opened in the namespace); an
   * unreadable file reads as a value that never equals another.
   */
  static TrafficCounters read(ProcNetFile snmpFile, ProcNetFile snmp6File) {
    long[] v = new long[6];
    try {
      String snmp = snmpFile.read();
      v[0] = column(snmp, "Tcp:", "ActiveOpens");
      v[1] = column(snmp, "Tcp:", "PassiveOpens");
      v[2] = column(snmp, "Udp:", "InDatagrams");
      v[3] = column(snmp, "Udp:", "OutDatagrams");
      String snmp6 = snmp6File.read();
      v[4] = named(snmp6, "Udp6InDatagrams");
      v[5] = named(snmp6, "Udp6OutDatagrams");
    } catch (RuntimeException e) {
      v[0] = -1; // unknown: the caller assumes traffic
    }
    return new TrafficCounters(v);
  }

  /**
   * In snmp's pairs of lines ({@code "Tcp: RtoAlgorithm RtoMin ... ActiveOpens ..."} then
   * {@code "Tcp: 1 200 ..."}), the number under {@code name}.
   */
  private static long column(String text, String prefix, String name) {
    int header = text.indexOf(prefix + " ");
    int eol = text.indexOf('\n', header);
    String[] names = text.substring(header, eol).split(" ", -1);
    String[] numbers = text.substring(eol + 1, text.indexOf('\n', eol + 1)).split(" ", -1);
    for (int i = 1; i < names.length; i++) {
      if (names[i].equals(name)) {
        return Long.parseLong(numbers[i]);
      }
    }
    throw new IllegalStateException("no " + prefix + name);
  }

  /** In snmp6's lines ({@code "Udp6InDatagrams    3"}), the number after {@code name}. */
  private static long named(String text, String name) {
    int at = text.indexOf(name);
    while (at >= 0 && !Character.isWhitespace(text.charAt(at + name.length()))) {
      at = text.indexOf(name, at + 1);
    }
    int eol = text.indexOf('\n', at);
    return Long.parseLong(text.substring(at + name.length(), eol < 0 ? text.length() : eol).trim());
  }

  /** Whether no counter moved between {@code earlier} and this reading (and both were read). */
  boolean unchangedSince(TrafficCounters earlier) {
    return Arrays.equals(values, earlier.values) && Arrays.stream(values).allMatch(x -> x >= 0);
  }

  @Override
  public String toString() {
    return "tcp opens " + values[0] + "/" + values[1] + ", udp " + values[2] + "/" + values[3] + ", udp6 "
        + values[4] + "/" + values[5];
  }
}
