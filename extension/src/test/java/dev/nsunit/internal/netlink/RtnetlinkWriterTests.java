package dev.nsunit.internal.netlink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.testing.Ip;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Everything the engine writes through rtnetlink, checked with iproute2 ({@code ip -j -d}) as the
 * independent reader.
 */
class RtnetlinkWriterTests {
  private Netns ns;
  private Netns other;
  private Rtnetlink rt;
  private String path;

  @BeforeEach
  void createNamespaces() {
    ns = Netns.create("writer");
    other = Netns.create("writer peer");
    rt = ns.rtnetlink();
    path = "/proc/" + ProcessHandle.current().pid() + "/fd/" + ns.fd();
  }

  @AfterEach
  void close() {
    ns.close();
    other.close();
  }

  private JsonNode link(String nsPath, String name) {
    JsonNode all = Ip.json(nsPath, "-d", "link", "show", "dev", name);
    assertThat(all).hasSize(1);
    return all.get(0);
  }

  private static List<String> flags(JsonNode link) {
    List<String> out = new ArrayList<>();
    link.get("flags").forEach(f -> out.add(f.asText()));
    return out;
  }

  @Test
  void vethWithThePeerPlacedInAnotherNamespaceByFd() {
    rt.add(LinkRequest.veth("vwa", "eth0", other.fd()).mtu(1400).mac("02:00:00:00:00:0a").up());
    JsonNode here = link(path, "vwa");
    assertThat(here.get("linkinfo").get("info_kind").asText()).isEqualTo("veth");
    assertThat(here.get("mtu").asInt()).isEqualTo(1400);
    assertThat(here.get("address").asText()).isEqualTo("02:00:00:00:00:0a");
    assertThat(flags(here)).contains("UP");
    JsonNode peer = link("/proc/" + ProcessHandle.current().pid() + "/fd/" + other.fd(), "eth0");
    assertThat(peer.get("mtu").asInt()).isEqualTo(1400);
    assertThat(peer.get("ifindex").asInt()).isEqualTo(here.get("link_index").asInt());
    assertThat(Ip.json(path, "link", "show")).extracting(l -> l.get("ifname").asText()).doesNotContain("eth0");
  }

  @Test
  void bridgeWithAPortThenNomaster() {
    rt.add(LinkRequest.bridge("br7").up());
    rt.add(LinkRequest.veth("vp1", "vp1peer"));
    int bridge = rt.indexOf("br7");
    int port = rt.indexOf("vp1");
    rt.setMaster(port, bridge);
    assertThat(link(path, "br7").get("linkinfo").get("info_kind").asText()).isEqualTo("bridge");
    assertThat(link(path, "vp1").get("master").asText()).isEqualTo("br7");
    assertThat(rt.link("vp1").orElseThrow().master()).contains("br7");
    rt.setMaster(port, 0);
    assertThat(link(path, "vp1").has("master")).isFalse();
  }

  @Test
  void setUpDownMtuMacAndDelete() {
    rt.add(LinkRequest.veth("va", "vb"));
    int a = rt.indexOf("va");
    rt.setMtu(a, 9000);
    rt.setMac(a, "02:11:22:33:44:55");
    rt.setUp(a, true);
    JsonNode j = link(path, "va");
    assertThat(j.get("mtu").asInt()).isEqualTo(9000);
    assertThat(j.get("address").asText()).isEqualTo("02:11:22:33:44:55");
    assertThat(flags(j)).contains("UP");
    rt.setUp("va", false);
    assertThat(flags(link(path, "va"))).doesNotContain("UP");
    rt.delete(a);
    assertThat(rt.link("va")).isEmpty();
    assertThat(rt.link("vb")).as("deleting one end of a veth deletes the pair").isEmpty();
  }

  @Test
  void macvlanOnAParent() {
    rt.add(LinkRequest.veth("parent0", "parent1").up());
    int parent = rt.indexOf("parent0");
    rt.add(LinkRequest.macvlan("mv0", parent, LinkRequest.MacvlanMode.BRIDGE).up());
    JsonNode j = link(path, "mv0");
    assertThat(j.get("linkinfo").get("info_kind").asText()).isEqualTo("macvlan");
    assertThat(j.get("linkinfo").get("info_data").get("mode").asText()).isEqualTo("bridge");
    assertThat(j.get("link").asText()).isEqualTo("parent0");
  }

  @Test
  void vxlanWithUnderlayRemoteLocalAndPort() {
    rt.add(LinkRequest.veth("under0", "under1").up());
    int under = rt.indexOf("under0");
    rt.addAddress(under, IpPrefix.parse("198.51.100.1/24"));
    rt.add(LinkRequest.vxlan("vx42", 42).underlay(under).remote(InetAddresses.parse("198.51.100.2"))
        .local(InetAddresses.parse("198.51.100.1")).port(4789));
    JsonNode data = link(path, "vx42").get("linkinfo").get("info_data");
    assertThat(data.get("id").asInt()).isEqualTo(42);
    assertThat(data.get("remote").asText()).isEqualTo("198.51.100.2");
    assertThat(data.get("local").asText()).isEqualTo("198.51.100.1");
    assertThat(data.get("link").asText()).isEqualTo("under0");
    assertThat(data.get("port").asInt()).isEqualTo(4789);
  }

  @Test
  void addressesIpv4WithBroadcastAndIpv6WithoutDad() {
    rt.add(LinkRequest.veth("ad0", "ad1").up());
    int i = rt.indexOf("ad0");
    rt.addAddress(i, IpPrefix.parse("192.0.2.10/24"));
    rt.addAddress(i, IpPrefix.parse("2001:db8::10/64"));
    JsonNode infos = Ip.json(path, "addr", "show", "dev", "ad0").get(0).get("addr_info");
    List<String> seen = new ArrayList<>();
    infos.forEach(a -> seen.add(a.get("family").asText() + " " + a.get("local").asText() + "/" + a.get("prefixlen").asInt()
        + (a.has("broadcast") ? " brd " + a.get("broadcast").asText() : "")
        + (a.has("nodad") ? " nodad" : "") + (a.has("tentative") ? " tentative" : "")));
    assertThat(seen).contains("inet 192.0.2.10/24 brd 192.0.2.255", "inet6 2001:db8::10/64 nodad");
  }

  @Test
  void routesDefaultOnLinkScopeSrcAndMetric() {
    rt.add(LinkRequest.veth("r0", "r1").up());
    rt.setUp("r1", true); // a veth's carrier needs both ends up; else every route reads "linkdown"
    int i = rt.indexOf("r0");
    rt.addAddress(i, IpPrefix.parse("192.0.2.10/24"));
    rt.addRoute(RouteRequest.defaultVia(InetAddresses.parse("192.0.2.1")));
    rt.addRoute(RouteRequest.to(IpPrefix.parse("198.51.100.0/24")).dev(i).scopeLink()
        .src(InetAddresses.parse("192.0.2.10")).metric(50));
    rt.addRoute(RouteRequest.to(IpPrefix.parse("203.0.113.0/24")).via(InetAddresses.parse("10.9.9.9")).dev(i).onlink());
    rt.addAddress(i, IpPrefix.parse("2001:db8::10/64"));
    rt.addRoute(RouteRequest.defaultVia(InetAddresses.parse("2001:db8::1")).dev(i));
    List<String> v4 = Ip.ip(path, "route", "show").lines().map(String::trim).toList();
    assertThat(v4).contains("default via 192.0.2.1 dev r0",
        "198.51.100.0/24 dev r0 scope link src 192.0.2.10 metric 50",
        "203.0.113.0/24 via 10.9.9.9 dev r0 onlink");
    assertThat(Ip.ip(path, "-6", "route", "show")).contains("default via 2001:db8::1 dev r0");
  }

  @Test
  void kernelErrorsCarryTheExtendedAckText() {
    rt.add(LinkRequest.bridge("dup0"));
    assertThatThrownBy(() -> rt.add(LinkRequest.bridge("dup0")))
        .isInstanceOf(NetlinkException.class)
        .hasMessageStartingWith("ip link add dup0 type bridge failed: EEXIST (File exists)");
    assertThatThrownBy(() -> rt.addRoute(RouteRequest.defaultVia(InetAddresses.parse("203.0.113.1"))))
        .isInstanceOf(NetlinkException.class)
        .hasMessageContaining("ENETUNREACH")
        .hasMessageContaining("kernel says: Nexthop has invalid gateway");
  }

  @Test
  void neighboursAreListed() throws Exception {
    rt.add(LinkRequest.veth("n0", "n1").up());
    int i = rt.indexOf("n0");
    rt.addAddress(i, IpPrefix.parse("192.0.2.10/24"));
    Ip.ip(path, "neigh", "add", "192.0.2.77", "lladdr", "02:00:00:00:00:77", "dev", "n0", "nud", "permanent");
    assertThat(rt.neighbours()).extracting(Object::toString)
        .contains("192.0.2.77 dev n0 lladdr 02:00:00:00:00:77 PERMANENT");
  }
}
