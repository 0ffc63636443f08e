package dev.nsunit;

/**
 * How a {@link Network}'s endpoints are wired, like {@code docker network create -d DRIVER}.
 */
public enum NetworkDriver {
  /** A bridge of its own in the lab host, which is the gateway (Docker's default driver). */
  BRIDGE("bridge"),
  /**
   * Endpoints are macvlan children, in bridge mode, of a parent interface in the lab, like
   * {@code -d macvlan -o parent=...}: each has a MAC of its own on the parent's wire, a "physical"
   * LAN whose router holds the gateway. They reach each other and the gateway, but not the lab
   * host's own address on the parent: the kernel passes no frames between a macvlan's parent
   * and its children.
   */
  MACVLAN("macvlan"),
  /**
   * Endpoints are ipvlan children, in L2 mode, of a parent interface in the lab, like
   * {@code -d ipvlan -o ipvlan_mode=l2}: as {@link #MACVLAN}, but all share the parent's MAC.
   * Needs a kernel with CONFIG_IPVLAN; where it is missing, creating the network fails naming it.
   */
  IPVLAN("ipvlan"),
  /**
   * One network across several lab hosts (simulated Docker hosts joined by an underlay), like
   * {@code docker network create -d overlay}: on each lab host with an endpoint, a bridge with a
   * VXLAN port (VNI 4096 and up, UDP port 4789) that floods to the other lab hosts; endpoints'
   * interfaces have MTU 1450, as Docker sets them. Every endpoint says where it lives with
   * {@code @Connect(labHost = "node2")} or {@code connectOn("node2", ...)}. Endpoints reach each other across lab hosts; the network
   * has no gateway of its own (Docker's containers leave through docker_gwbridge, which nsunit
   * does not build), so it gives no default route.
   */
  OVERLAY("overlay");

  private final String kind;

  NetworkDriver(String kind) {
    this.kind = kind;
  }

  /** The driver's name as Docker spells it, e.g. {@code macvlan}. */
  public String dockerName() {
    return kind;
  }
}
