package dev.nsunit.assertions;

import static dev.nsunit.testing.Ip.ip;

import dev.nsunit.NetworkNamespace;

/**
 * Two namespaces joined by a veth pair, both ends called eth0: {@code a} has 192.0.2.1/24 and
 * fd00::1/64, {@code b} has 192.0.2.2/24 and fd00::2/64 (IPv6 without DAD, so usable at once).
 */
final class TwoHosts implements AutoCloseable {
  final NetworkNamespace a = NetworkNamespace.create("a");
  final NetworkNamespace b;

  TwoHosts() {
    NetworkNamespace created = null;
    try {
      created = NetworkNamespace.create("b");
      ip(a.path(), "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns", created.path().toString());
      configure(a, "192.0.2.1/24", "fd00::1/64");
      configure(created, "192.0.2.2/24", "fd00::2/64");
    } catch (RuntimeException | Error e) {
      a.close();
      if (created != null) {
        created.close();
      }
      throw e;
    }
    b = created;
  }

  private static void configure(NetworkNamespace ns, String v4, String v6) {
    ip(ns.path(), "addr", "add", v4, "brd", "+", "dev", "eth0");
    ip(ns.path(), "addr", "add", v6, "dev", "eth0", "nodad");
    ip(ns.path(), "link", "set", "eth0", "up");
  }

  @Override
  public void close() {
    try {
      a.close();
    } finally {
      b.close();
    }
  }
}
