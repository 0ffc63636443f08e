package dev.nsunit.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.Address;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.Link;
import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.Route;
import dev.nsunit.model.InetSocket;
import dev.nsunit.oracle.OracleConfiguration.Features;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Rootless;
import dev.nsunit.testing.Shell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The correctness oracle: for many generated namespaces, built only with {@code ip} commands,
 * {@link NetworkNamespace#snapshot()} must agree field by field with iproute2 ({@code ip -j -d
 * link}, {@code ip -j addr}, {@code ip -j route}, {@code ip -j -6 route}, {@code ss -Hltnu}), and
 * the model's {@code toString()}s must read like iproute2's text where they are meant to.
 *
 * <p>Configurations come from a fixed seed, so a failure names a configuration that can be
 * replayed exactly; its {@code ip} transcript is part of the failure message.
 */
class SnapshotOracleTests {
  private static final long SEED = 0x6e73756e6974L; // "nsunit"
  private static final int CONFIGURATIONS = 25;
  private static final String[] ADDRESS_FLAGS = {
    "secondary", "temporary", "nodad", "optimistic", "dadfailed", "home", "deprecated", "tentative",
    "dynamic", "mngtmpaddr", "noprefixroute", "autojoin", "stable-privacy"
  };
  /** {@code 3: veth0    inet 10.1.1.1/24 brd 10.1.1.255 scope global veth0\       valid_lft ...}. */
  private static final Pattern ADDRESS_LINE = Pattern.compile("^(\\d+): (\\S+)\\s+(.*?)\\s*\\\\\\s+valid_lft.*$");
  /** {@code 3: veth0@vpeer0: <...> mtu ... \    link/ether ...}. */
  private static final Pattern LINK_LINE = Pattern.compile("^(\\d+): (.*?)\\\\(\\s+link/.*)$");
  /** Remaining lifetime of a route: the model has no clock-dependent fields. */
  private static final Pattern EXPIRES = Pattern.compile(" expires -?\\d+sec");

  private static Features features;

  static Stream<OracleConfiguration> configurations() {
    Features f = features();
    return IntStream.range(0, CONFIGURATIONS).mapToObj(i -> OracleConfiguration.generate(i, SEED + i, f));
  }

  /** Which link kinds the kernel has; probed once in a scratch namespace. */
  static synchronized Features features() {
    if (features == null) {
      try (NetworkNamespace probe = NetworkNamespace.create("oracle-probe")) {
        String p = probe.path().toString();
        Ip.ip(p, "link", "add", "probe0", "type", "veth", "peer", "name", "probe1");
        features = new Features(
            Ip.succeeds(p, "link", "add", "probe2", "link", "probe0", "type", "macvlan", "mode", "bridge"),
            Ip.succeeds(p, "link", "add", "probe3", "type", "vxlan", "id", "1", "dev", "probe0", "dstport", "4789"));
      }
    }
    return features;
  }

  /** Rootless, `ip netns add` cannot mount /run/netns: such configurations use an fd-held namespace. */
  static boolean named(OracleConfiguration config) {
    return config.named() && !Rootless.active();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("configurations")
  void snapshotAgreesWithIproute2(OracleConfiguration config) throws Exception {
    String named = "nsu-oracle-" + config.number();
    Path namedPath = Path.of("/run/netns", named);
    NetworkNamespace ns = null;
    NetworkNamespace peer = null;
    try {
      if (named(config)) {
        if (namedPath.toFile().exists()) {
          Shell.run("ip", "netns", "del", named); // left by a killed earlier run of this test
        }
        Shell.run("ip", "netns", "add", named);
        ns = NetworkNamespace.open(namedPath);
      } else {
        ns = NetworkNamespace.create("oracle-" + config.number());
      }
      String path = named(config) ? namedPath.toString() : ns.path().toString();
      if (config.hasPeer() || config.commands().stream().anyMatch(c -> c.contains(OracleConfiguration.PEER))) {
        peer = NetworkNamespace.create("oracle-peer-" + config.number());
      }
      String peerPath = peer == null ? null : peer.path().toString();
      if (!config.dad()) {
        Shell.in(path, "sysctl", "-q", "-w", "net.ipv6.conf.all.accept_dad=0", "net.ipv6.conf.default.accept_dad=0");
      }
      for (List<String> c : config.commands()) {
        Ip.ip(path, c.stream().map(a -> a.equals(OracleConfiguration.PEER) ? peerPath : a).collect(Collectors.toList()));
      }
      for (List<String> c : config.peerCommands()) {
        Ip.ip(peerPath, c);
      }
      try (OracleListeners listeners = OracleListeners.open(ns, config.listeners())) {
        compare(config, "namespace", ns, path, config.links());
        if (peer != null) {
          compare(config, "peer namespace", peer, peerPath, config.peerLinks());
        }
      }
    } finally {
      if (peer != null) {
        peer.close();
      }
      if (ns != null) {
        ns.close();
      }
      if (config.named() && namedPath.toFile().exists()) {
        Shell.run("ip", "netns", "del", named);
      }
    }
  }

  /** Compares one namespace's snapshot with iproute2, all fields, reporting every difference at once. */
  private static void compare(OracleConfiguration config, String which, NetworkNamespace ns, String path,
      List<String> expectedLinks) {
    Observation o = observeSettled(ns, path);
    Iproute2View ip = o.ip();
    NetworkSnapshot snap = o.snapshot();
    // Guards the oracle itself: iproute2 must be looking at the namespace we built.
    assertThat(names(ip.links(), "ifname")).as("%s: iproute2 sees the links the configuration made", which)
        .containsExactlyInAnyOrderElementsOf(expectedLinks);

    SoftAssertions softly = new SoftAssertions();
    Check check = new Check(softly, "[" + which + "] ");
    compareLinks(check, snap, ip);
    compareAddresses(check, snap, ip);
    compareRoutes(check, snap, ip);
    compareSockets(check, snap, ip);
    try {
      softly.assertAll();
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n\n=== configuration " + config + "\n" + config.transcript()
          + "\n=== engine snapshot (" + which + ")\n" + snap + "\n=== iproute2 (" + which + ")\n"
          + ip.transcript(), e);
    }
  }

  /**
   * The engine's snapshot and the iproute2 reading after it; {@code settled} when that reading
   * matched the one before the snapshot.
   */
  private record Observation(NetworkSnapshot snapshot, Iproute2View ip, boolean settled) {}

  /**
   * Takes the engine's snapshot between two identical iproute2 readings, so both sides saw the
   * same state: carrier, operstate and IPv6 link-local addresses follow a link's ACK
   * asynchronously.
   */
  private static Observation observeSettled(NetworkNamespace ns, String path) {
    Iproute2View[] before = {Iproute2View.read(path)};
    return Await.until("the namespace to hold still for two iproute2 readings in a row", Await.DEFAULT_BOUND, () -> {
      NetworkSnapshot snapshot = ns.snapshot();
      Iproute2View after = Iproute2View.read(path);
      boolean settled = after.settledForm().equals(before[0].settledForm());
      before[0] = after;
      return new Observation(snapshot, after, settled);
    }, Observation::settled, o -> "\n" + o.ip().transcript());
  }

  // ---- links ----

  private static void compareLinks(Check check, NetworkSnapshot snap, Iproute2View ip) {
    Map<Integer, Link> byIndex = snap.links().stream().collect(Collectors.toMap(Link::index, l -> l));
    check.same("links in order", "NetworkSnapshot.linkNames()", snap.linkNames(),
        "ip -j -d link .ifname", names(ip.links(), "ifname"));
    Map<Integer, String> textLines = lines(ip.linkText(), LINK_LINE);
    for (JsonNode j : ip.links()) {
      int index = j.get("ifindex").asInt();
      String name = str(j, "ifname");
      Link e = byIndex.get(index);
      String where = "link " + name + " (ifindex " + index + ")";
      if (e == null) {
        check.fail(where + ": iproute2 lists it, the engine does not; engine has " + snap.linkNames());
        continue;
      }
      check.same(where + " name", "Link.name()", e.name(), "ip -j -d link .ifname", name);
      check.same(where + " flags", "Link.flagNames()", e.flagNames(), "ip -j -d link .flags", strings(j.get("flags")));
      check.same(where + " mtu", "Link.mtu()", e.mtu(), "ip -j -d link .mtu", j.get("mtu").asInt());
      check.same(where + " qdisc", "Link.qdisc()", e.qdisc().orElse(null), "ip -j -d link .qdisc", str(j, "qdisc"));
      check.same(where + " operstate", "Link.operState()", e.operState(), "ip -j -d link .operstate", str(j, "operstate"));
      check.same(where + " mac", "Link.mac()", e.mac().orElse(null), "ip -j -d link .address", str(j, "address"));
      check.same(where + " broadcast mac", "Link.broadcastMac()", e.broadcastMac().orElse(null),
          "ip -j -d link .broadcast", str(j, "broadcast"));
      check.same(where + " master", "Link.master()", e.master().orElse(null), "ip -j -d link .master", str(j, "master"));
      JsonNode info = j.get("linkinfo");
      check.same(where + " kind", "Link.kind()", e.kind().orElse(null), "ip -j -d link .linkinfo.info_kind",
          info == null ? null : str(info, "info_kind"));
      // iproute2 prints the IFLA_LINK device by name in the same namespace, by index elsewhere.
      if (j.has("link_netnsid")) {
        check.same(where + " peer netnsid", "Link.linkNetnsId()", e.linkNetnsId(),
            "ip -j -d link .link_netnsid", j.get("link_netnsid").asInt());
        check.same(where + " peer ifindex", "Link.linkIndex()", e.linkIndex(),
            "ip -j -d link .link_index", j.get("link_index").asInt());
      } else {
        check.same(where + " peer netnsid", "Link.linkNetnsId()", e.linkNetnsId(), "ip -j -d link (no .link_netnsid)", -1);
        check.same(where + " peer name", "Link.linkName()", e.linkName().orElse(null), "ip -j -d link .link", str(j, "link"));
        check.same(where + " peer ifindex", "Link.linkIndex()", e.linkIndex(), "ifindex of ip -j -d link .link",
            j.has("link") ? indexOf(ip.links(), str(j, "link")) : 0);
      }
      // Link.toString(): "N: name@peer: <FLAGS> mtu M qdisc Q [master B] state S type KIND\n    link/T MAC brd B"
      // reads like `ip link`, which goes on with "mode ... group ... qlen" and "link-netnsid".
      String text = textLines.get(index);
      String[] model = e.toString().split("\n", 2);
      String first = e.kind().map(k -> model[0].replace(" type " + k, "")).orElse(model[0]);
      if (text == null) {
        check.fail(where + ": no line in `ip -o link`:\n" + ip.linkText());
      } else {
        Matcher m = LINK_LINE.matcher(text);
        m.matches();
        String ipFirst = m.group(1) + ": " + m.group(2);
        check.startsWith(where + " text", "Link.toString() line 1 (without type)", first, "`ip -o link`", ipFirst);
        check.startsWith(where + " text", "Link.toString() line 2", model[1], "`ip -o link`", m.group(3));
      }
    }
  }

  // ---- addresses ----

  private static void compareAddresses(Check check, NetworkSnapshot snap, Iproute2View ip) {
    Map<Integer, List<String>> texts = new HashMap<>();
    for (String line : ip.addressText().split("\n", -1)) {
      Matcher m = ADDRESS_LINE.matcher(line);
      if (m.matches()) {
        texts.computeIfAbsent(Integer.parseInt(m.group(1)), k -> new ArrayList<>()).add(m.group(3));
      } else if (!line.isBlank()) {
        check.fail("cannot parse `ip -o addr` line: " + line);
      }
    }
    int total = 0;
    for (JsonNode link : ip.addresses()) {
      int index = link.get("ifindex").asInt();
      String name = str(link, "ifname");
      List<JsonNode> ipAddrs = new ArrayList<>();
      link.get("addr_info").forEach(ipAddrs::add);
      total += ipAddrs.size();
      List<Address> engine = snap.addresses().stream().filter(a -> a.index() == index).collect(Collectors.toList());
      String where = "addresses of " + name + " (ifindex " + index + ")";
      check.same(where, "Address.toString()", texts(engine), "`ip -o addr`", texts.getOrDefault(index, List.of()));
      if (engine.size() != ipAddrs.size()) {
        check.fail(where + ": engine has " + engine.size() + " " + engine + ", ip -j addr has " + ipAddrs.size()
            + " " + ipAddrs);
        continue;
      }
      for (int i = 0; i < engine.size(); i++) {
        Address e = engine.get(i);
        JsonNode j = ipAddrs.get(i);
        String at = where + " #" + i + " " + str(j, "local") + "/" + j.get("prefixlen").asInt();
        check.same(at + " family", "Address.isIpv6()", e.isIpv6() ? "inet6" : "inet", "ip -j addr .family", str(j, "family"));
        check.same(at + " local", "Address.address()", InetAddresses.format(e.address()), "ip -j addr .local", str(j, "local"));
        check.same(at + " peer", "(no peer in the model)", null, "ip -j addr .address", str(j, "address"));
        check.same(at + " prefixlen", "Address.prefixLength()", e.prefixLength(), "ip -j addr .prefixlen", j.get("prefixlen").asInt());
        check.same(at + " broadcast", "Address.broadcast()", e.broadcast().map(InetAddresses::format).orElse(null),
            "ip -j addr .broadcast", str(j, "broadcast"));
        check.same(at + " scope", "Address.scopeName()", e.scopeName(), "ip -j addr .scope", str(j, "scope"));
        check.same(at + " label", "Address.label()", e.label().orElse(null), "ip -j addr .label", str(j, "label"));
        check.same(at + " interface", "Address.interfaceName()", e.interfaceName(), "ip -j addr .ifname", name);
        List<String> flags = new ArrayList<>();
        j.fieldNames().forEachRemaining(f -> {
          if (Arrays.asList(ADDRESS_FLAGS).contains(f) && j.get(f).asBoolean()) {
            flags.add(f);
          }
        });
        check.same(at + " flags", "Address.flagNames()", e.flagNames(), "ip -j addr boolean flags in order", flags);
      }
    }
    check.same("address count", "NetworkSnapshot.addresses().size()", snap.addresses().size(), "ip -j addr", total);
  }

  private static List<String> texts(List<?> objects) {
    return objects.stream().map(Object::toString).collect(Collectors.toList());
  }

  // ---- routes ----

  private static void compareRoutes(Check check, NetworkSnapshot snap, Iproute2View ip) {
    compareRoutes(check, "IPv4", snap.routes().stream().filter(r -> !r.ipv6()).collect(Collectors.toList()),
        ip.routes4(), ip.routeText4(), "ip -j route", "ip route");
    compareRoutes(check, "IPv6", snap.routes().stream().filter(Route::ipv6).collect(Collectors.toList()),
        ip.routes6(), ip.routeText6(), "ip -j -6 route", "ip -6 route");
  }

  private static void compareRoutes(Check check, String family, List<Route> engine, JsonNode json, String text,
      String jsonCommand, String textCommand) {
    List<String> ipLines = text.isEmpty() ? List.of()
        : Arrays.stream(text.split("\n", -1)).map(l -> EXPIRES.matcher(l).replaceAll("").strip()).collect(Collectors.toList());
    check.same(family + " routes as text", "Route.toString()", texts(engine), "`" + textCommand + "` (expires dropped)", ipLines);
    if (engine.size() != json.size()) {
      check.fail(family + " routes: engine has " + engine.size() + ", " + jsonCommand + " has " + json.size());
      return;
    }
    for (int i = 0; i < engine.size(); i++) {
      Route e = engine.get(i);
      JsonNode j = json.get(i);
      String at = family + " route #" + i + " " + str(j, "dst");
      check.same(at + " type", "Route.typeName()", e.typeName(), jsonCommand + " .type (absent: unicast)",
          j.has("type") ? str(j, "type") : "unicast");
      check.same(at + " dst", "Route.destinationText()", e.destinationText(), jsonCommand + " .dst", str(j, "dst"));
      check.same(at + " gateway", "Route.gateway()", e.gateway().map(InetAddresses::format).orElse(null),
          jsonCommand + " .gateway", str(j, "gateway"));
      check.same(at + " dev", "Route.dev()", e.dev().orElse(null), jsonCommand + " .dev", str(j, "dev"));
      check.same(at + " protocol", "Route.protocolName()", e.protocolName(), jsonCommand + " .protocol (absent: boot)",
          j.has("protocol") ? str(j, "protocol") : "boot");
      check.same(at + " scope", "Route.scopeName()", e.scopeName(), jsonCommand + " .scope (absent: global)",
          j.has("scope") ? str(j, "scope") : "global");
      check.same(at + " prefsrc", "Route.preferredSource()",
          e.preferredSource().map(InetAddresses::format).orElse(null), jsonCommand + " .prefsrc",
          str(j, "prefsrc"));
      check.same(at + " metric", "Route.metric()", e.metric(), jsonCommand + " .metric (absent: -1)",
          j.has("metric") ? j.get("metric").asLong() : -1L);
      check.same(at + " flags", "Route.flagNames()", e.flagNames(), jsonCommand + " .flags", strings(j.get("flags")));
      check.same(at + " pref", "Route.preferenceName()", e.preferenceName().orElse(null), jsonCommand + " .pref", str(j, "pref"));
    }
  }

  // ---- sockets ----

  private static void compareSockets(Check check, NetworkSnapshot snap, Iproute2View ip) {
    List<String> ss = ip.ss().isEmpty() ? List.of()
        : Arrays.stream(ip.ss().split("\n")).map(l -> String.join(" ", l.strip().split("\\s+"))).sorted()
            .collect(Collectors.toList());
    Function<InetSocket, String> asSs = s -> String.join(" ", s.protocol().netid(), s.stateName(),
        Long.toString(s.receiveQueue()), Long.toString(s.sendQueue()), s.localText(), s.remoteText());
    List<String> engine = snap.sockets().stream().map(asSs).sorted().collect(Collectors.toList());
    check.same("sockets (netid state recv-q send-q local peer, sorted)", "InetSocket fields and localText()/remoteText()",
        engine, "ss -Hltnu", ss);
  }

  // ---- helpers ----

  private static List<String> names(JsonNode array, String field) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(str(n, field)));
    return out;
  }

  private static int indexOf(JsonNode links, String name) {
    for (JsonNode l : links) {
      if (name.equals(str(l, "ifname"))) {
        return l.get("ifindex").asInt();
      }
    }
    return -1;
  }

  private static List<String> strings(JsonNode array) {
    List<String> out = new ArrayList<>();
    if (array != null) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static String str(JsonNode n, String field) {
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? null : v.asText();
  }

  private static Map<Integer, String> lines(String text, Pattern pattern) {
    Map<Integer, String> out = new HashMap<>();
    for (String line : text.split("\n", -1)) {
      Matcher m = pattern.matcher(line);
      if (m.matches()) {
        out.put(Integer.parseInt(m.group(1)), line);
      }
    }
    return out;
  }

  /** Soft checks whose messages name both sides: the engine's accessor and iproute2's field. */
  private static final class Check {
    private final SoftAssertions softly;
    private final String prefix;

    Check(SoftAssertions softly, String prefix) {
      this.softly = softly;
      this.prefix = prefix;
    }

    void same(String what, String engineSide, Object engine, String ipSide, Object ip) {
      softly.assertThat(engine)
          .withFailMessage("%s%s differs:%n  engine   %s = <%s>%n  iproute2 %s = <%s>", prefix, what, engineSide,
              engine, ipSide, ip)
          .isEqualTo(ip);
    }

    void startsWith(String what, String engineSide, String engine, String ipSide, String ip) {
      softly.assertThat(ip)
          .withFailMessage("%s%s differs:%n  engine   %s = <%s>%n  iproute2 %s = <%s>%n  (iproute2 must start with the engine's text)",
              prefix, what, engineSide, engine, ipSide, ip)
          .startsWith(engine);
    }

    void fail(String message) {
      softly.fail(prefix + message);
    }
  }
}
