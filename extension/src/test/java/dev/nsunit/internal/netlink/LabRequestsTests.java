package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.testing.Ip;
import dev.nsunit.testing.Shell;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The requests the lab is built with, each checked with iproute2 as the independent reader: a
 * bridge port cut off, the refusing rule and routes, per-link forwarding. Plus the measurement
 * that chose how to cut a port off.
 */
class LabRequestsTests {
  private Netns ns;
  private Rtnetlink rt;
  private String path;

  @BeforeEach
  void createNamespace() {
    ns = Netns.create("lab requests");
    rt = ns.rtnetlink();
    path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + ns.fd();
  }

  @AfterEach
  void close() {
    ns.close();
  }

  private JsonNode bridgeLinks() {
    return Ip.parse(Shell.in(path, "bridge", "-j", "link", "show"));
  }

  private JsonNode port(String name) {
    for (JsonNode p : bridgeLinks()) {
      if (p.get("ifname").asText().equals(name)) {
        return p;
      }
    }
    return null;
  }


  private void bridgeWithPorts(int ports) {
    rt.add(LinkRequest.bridge("b0").up());
    int bridge = rt.indexOf("b0");
    for (int i = 0; i < ports; i++) {
      rt.add(LinkRequest.veth("p" + i, "q" + i).master(bridge).up());
      rt.setUp("q" + i, true);
    }
  }

  @Test
  void disablingABridgePortStopsItAndFlushesWhatTheBridgeLearnedOnIt() {
    bridgeWithPorts(1);
    int port = rt.indexOf("p0");
    // a learned entry, as if a frame from 02:00:00:00:00:01 had arrived on the port
    Shell.in(path, "bridge", "fdb", "add", "02:00:00:00:00:01", "dev", "p0", "master", "dynamic");
    assertThat(port("p0").get("state").asText()).isEqualTo("forwarding");
    assertThat(fdbOn("p0")).contains("02:00:00:00:00:01");

    BridgePortRequest.disable(port).sendOn(rt);

    JsonNode p0 = port("p0");
    assertThat(p0.get("state").asText()).isEqualTo("disabled");
    assertThat(p0.get("master").asText()).isEqualTo("b0"); // still a port; nothing waited for RCU to remove it
    assertThat(fdbOn("p0")).doesNotContain("02:00:00:00:00:01");
    assertThat(rt.link(port).orElseThrow().master()).contains("b0");
  }

  private List<String> fdbOn(String dev) {
    List<String> out = new ArrayList<>();
    for (JsonNode e : Ip.parse(Shell.in(path, "bridge", "-j", "fdb", "show", "dev", dev))) {
      if (!e.path("state").asText().equals("permanent")) {
        out.add(e.get("mac").asText());
      }
    }
    return out;
  }

  @Test
  void theRefusingRuleAndRoutes() {
    RuleRequest.prohibit(false).iif("lo").not().priority(100).sendOn(rt);
    RejectRouteRequest.unreachable(IpPrefix.parse("0.0.0.0/0")).sendOn(rt);
    RejectRouteRequest.prohibit(IpPrefix.parse("198.51.100.0/24")).sendOn(rt);
    RejectRouteRequest.unreachable(IpPrefix.parse("::/0")).sendOn(rt);

    JsonNode rule = null;
    for (JsonNode r : Ip.json(path, "rule", "show")) {
      if (r.get("priority").asInt() == 100) {
        rule = r;
      }
    }
    assertThat(rule).isNotNull();
    assertThat(rule.has("not")).as("%s", rule).isTrue();
    assertThat(rule.get("iif").asText()).isEqualTo("lo");
    assertThat(rule.get("action").asText()).isEqualTo("prohibit");
    List<String> v4 = new ArrayList<>();
    Ip.json(path, "-4", "route", "show").forEach(r -> v4.add(r.path("type").asText() + " " + r.get("dst").asText()));
    assertThat(v4).containsExactlyInAnyOrder("unreachable default", "prohibit 198.51.100.0/24");
    List<String> v6 = new ArrayList<>();
    Ip.json(path, "-6", "route", "show").forEach(r -> v6.add(r.path("type").asText() + " " + r.get("dst").asText()));
    assertThat(v6).contains("unreachable default");
    // and nsunit's own reader agrees
    assertThat(rt.routes().stream().filter(r -> r.destination().length() == 0).map(r -> r.typeName()))
        .containsExactlyInAnyOrder("unreachable", "unreachable");
  }

  @Test
  void forwardingPerLink() {
    rt.add(LinkRequest.bridge("b0").up());
    int bridge = rt.indexOf("b0");
    Ipv4DevConfRequest.forwarding(bridge, true).sendOn(rt);
    assertThat(ipv4Forwarding("b0")).isTrue();
    assertThat(ipv4Forwarding("lo")).isFalse();
    Ipv4DevConfRequest.forwarding(bridge, false).sendOn(rt);
    assertThat(ipv4Forwarding("b0")).isFalse();
  }

  /** {@code net.ipv4.conf.DEV.forwarding} as {@code ip -j netconf} shows it. */
  private boolean ipv4Forwarding(String dev) {
    for (JsonNode c : Ip.json(path, "netconf", "show", "dev", dev)) {
      if (c.get("family").asText().equals("inet")) {
        return c.get("forwarding").asBoolean();
      }
    }
    throw new AssertionError("ip netconf shows no IPv4 settings for " + dev);
  }

  @Test
  void describesItselfAsIproute2Would() {
    assertThat(BridgePortRequest.disable(7)).hasToString("bridge link set dev if7 state 0; ip link set dev if7 type"
        + " bridge_slave fdb_flush");
    assertThat(RuleRequest.prohibit(false).iif("lo").not().priority(100)).hasToString("ip rule add not iif lo pref 100 prohibit");
    assertThat(RejectRouteRequest.unreachable(IpPrefix.parse("::/0"))).hasToString("ip -6 route add unreachable default");
    assertThat(Ipv4DevConfRequest.forwarding(3, true)).hasToString("sysctl -w net.ipv4.conf.if3.forwarding=1");
  }

  /**
   * How to cut an ended endpoint's port off at once, measured: disabling it (the choice) against
   * setting it down and releasing it from the bridge, both of which wait for an RCU grace period
   * ({@code synchronize_net}) under RTNL. Prints the medians; asserts only what each step did and
   * a hang guard, as speed is never asserted.
   */
  @Test
  void cuttingAPortOffMeasured() {
    int ports = 30;
    String[] names = {"baseline (mtu unchanged)", "disable + fdb flush", "link down", "nomaster"};
    List<BiConsumer<Rtnetlink, Integer>> steps = List.of(
        (r, i) -> r.setMtu(i, 1500),
        (r, i) -> BridgePortRequest.disable(i).sendOn(r),
        (r, i) -> r.setUp(i, false),
        (r, i) -> r.setMaster(i, 0));
    StringBuilder report = new StringBuilder("cutting a bridge port off, " + ports + " ports each; median and p90 in µs:");
    long start = System.nanoTime();
    for (int round = 0; round < 2; round++) { // the first round warms the code paths up
      for (int s = 0; s < steps.size(); s++) {
        Netns m = Netns.create("cut-off " + s);
        try {
          Rtnetlink r = m.rtnetlink();
          r.add(LinkRequest.bridge("b0").up());
          int bridge = r.indexOf("b0");
          int[] index = new int[ports];
          for (int i = 0; i < ports; i++) {
            r.add(LinkRequest.veth("c" + i, "d" + i).master(bridge).up());
            r.setUp("d" + i, true);
            index[i] = r.indexOf("c" + i);
          }
          long[] micros = new long[ports];
          for (int i = 0; i < ports; i++) {
            long t0 = System.nanoTime();
            steps.get(s).accept(r, index[i]);
            micros[i] = (System.nanoTime() - t0) / 1_000;
          }
          String state = portState("/proc/" + ProcessHandle.current().pid() + "/fd/" + m.fd(), "c0");
          assertThat(state).as(names[s]).isEqualTo(s == 0 ? "forwarding" : s == 3 ? "no port" : "disabled");
          if (round == 1) {
            Arrays.sort(micros);
            report.append(String.format(Locale.ROOT, "%n  %-26s %6d %6d", names[s], micros[ports / 2], micros[ports * 9 / 10]));
          }
        } finally {
          m.close();
        }
      }
    }
    System.out.println(report);
    assertThat((System.nanoTime() - start) / 1_000_000).as("hang guard, ms").isLessThan(120_000);
  }

  private static String portState(String nsPath, String name) {
    for (JsonNode p : Ip.parse(Shell.in(nsPath, "bridge", "-j", "link", "show"))) {
      if (p.get("ifname").asText().equals(name)) {
        return p.get("state").asText();
      }
    }
    return "no port";
  }
}
