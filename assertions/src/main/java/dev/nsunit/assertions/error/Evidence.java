package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;

/**
 * The evidence printed under every failure: the namespace's links and addresses, routes and
 * sockets, like {@code ip addr}, {@code ip route} and {@code ss -ltnu} print them. Kept in one
 * place so every message shows the same dump.
 */
public final class Evidence {
  private Evidence() {}

  /**
   * The dump of {@code snapshot}, under a heading naming {@code namespace}, indented so it stands
   * apart from the message above it.
   */
  public static String of(String namespace, NetworkSnapshot snapshot) {
    if (snapshot == null) {
      return "(no snapshot of " + namespace + ")";
    }
    StringBuilder sb = new StringBuilder("Evidence from ").append(namespace).append(':');
    for (String line : snapshot.toString().split("\n", -1)) {
      if (!line.isEmpty()) {
        sb.append("%n  ").append(line.replace("%", "%%"));
      }
    }
    return String.format(sb.toString());
  }
}
