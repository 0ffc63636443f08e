package dev.nsunit.oracle;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Shell;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What iproute2 says about one namespace at one moment: the JSON of {@code ip -j -d link},
 * {@code ip -j addr}, {@code ip -j route}, {@code ip -j -6 route}, their text forms, and
 * {@code ss -Hltnu}. All of it is read by one shell inside the namespace.
 *
 * @param links {@code ip -j -d link}
 * @param addresses {@code ip -j addr}
 * @param routes4 {@code ip -j route}
 * @param routes6 {@code ip -j -6 route}
 * @param linkText {@code ip -o link}
 * @param addressText {@code ip -o addr}
 * @param routeText4 {@code ip route}
 * @param routeText6 {@code ip -6 route}
 * @param ss {@code ss -Hltnu}
 */
record Iproute2View(JsonNode links, JsonNode addresses, JsonNode routes4, JsonNode routes6,
    String linkText, String addressText, String routeText4, String routeText6, String ss) {

  private static final String MARK = "--8<-- nsunit oracle --8<--";
  private static final String[] COMMANDS = {
    "ip -j -d link show", "ip -j addr show", "ip -j route show", "ip -j -6 route show",
    "ip -o link show", "ip -o addr show", "ip route show", "ip -6 route show", "ss -Hltnu"
  };
  /** Remaining lifetimes count down every second; they are not part of the state we compare. */
  private static final Pattern COUNTDOWN = Pattern.compile("\\b(valid_lft|preferred_lft|expires) \\d+sec");

  /** Reads everything in the namespace at {@code nsPath}. */
  static Iproute2View read(String nsPath) {
    StringBuilder script = new StringBuilder("set -e");
    for (String c : COMMANDS) {
      script.append("; ").append(c).append("; echo; echo '").append(MARK).append('\'');
    }
    String out = Shell.in(nsPath, "sh", "-c", script.toString());
    String[] parts = out.split("\n?" + Pattern.quote(MARK) + "\n", -1);
    if (parts.length != COMMANDS.length + 1) {
      throw new AssertionError("cannot split iproute2 output into " + COMMANDS.length + " parts:\n" + out);
    }
    return new Iproute2View(json(parts[0]), json(parts[1]), json(parts[2]), json(parts[3]),
        parts[4].strip(), parts[5].strip(), parts[6].strip(), parts[7].strip(), parts[8].strip());
  }

  private static JsonNode json(String text) {
    return Ip.parse(text);
  }

  /**
   * This view without what changes by itself while nothing happens (lifetimes counting down,
   * bridge timers), so two readings of a settled namespace are equal.
   */
  String settledForm() {
    List<String> parts = new ArrayList<>();
    for (JsonNode n : List.of(links, addresses, routes4, routes6)) {
      JsonNode copy = n.deepCopy();
      dropCountdowns(copy);
      parts.add(copy.toString());
    }
    for (String t : List.of(linkText, addressText, routeText4, routeText6, ss)) {
      parts.add(COUNTDOWN.matcher(t).replaceAll("$1 N"));
    }
    return String.join("\n", parts);
  }

  private static void dropCountdowns(JsonNode node) {
    if (node.isObject()) {
      Iterator<String> names = node.fieldNames();
      List<String> drop = new ArrayList<>();
      while (names.hasNext()) {
        String name = names.next();
        if (name.endsWith("_timer") || name.endsWith("_life_time") || name.equals("expires")) {
          drop.add(name);
        }
      }
      ((ObjectNode) node).remove(drop);
    }
    for (JsonNode child : node) {
      dropCountdowns(child);
    }
  }

  /** All the text forms under their commands, for failure messages. */
  String transcript() {
    return "$ ip -o link\n" + linkText + "\n$ ip -o addr\n" + addressText + "\n$ ip route\n" + routeText4
        + "\n$ ip -6 route\n" + routeText6 + "\n$ ss -Hltnu\n" + ss + "\n";
  }
}
