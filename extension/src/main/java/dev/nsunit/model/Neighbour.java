package dev.nsunit.model;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * An ARP or NDP neighbour entry, as {@code ip neigh show} reports it.
 *
 * @param address the neighbour's IP address
 * @param index the interface's ifindex
 * @param dev the interface's name
 * @param mac the link-layer address, or {@code null} while unresolved
 * @param state the NUD_* state bits
 */
public record Neighbour(InetAddress address, int index, String dev, String mac, int state) {

  private static final String[] STATE_NAMES = {
    "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"
  };

  /** The NUD states as iproute2 names them, e.g. {@code [REACHABLE]}; {@code [NONE]} for 0. */
  public List<String> stateNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < STATE_NAMES.length; i++) {
      if ((state & (1 << i)) != 0) {
        out.add(STATE_NAMES[i]);
      }
    }
    if (out.isEmpty()) {
      out.add("NONE");
    }
    return out;
  }

  /** Like a line of {@code ip neigh}: {@code 172.17.0.1 dev eth0 lladdr 02:42:ac:11:00:01 REACHABLE}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(InetAddresses.format(address));
    if (dev != null) {
      sb.append(" dev ").append(dev);
    }
    if (mac != null) {
      sb.append(" lladdr ").append(mac);
    }
    return sb.append(' ').append(String.join(" ", stateNames())).toString();
  }
}
