package dev.nsunit.model;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Everything nsunit reads from one namespace at one moment: links, addresses, routes (the main
 * table, IPv4 and IPv6), neighbours and TCP/UDP sockets.
 *
 * @param links the interfaces, by ifindex
 * @param addresses the addresses of every interface
 * @param routes the main-table routes
 * @param neighbours the neighbour (ARP/NDP) entries
 * @param sockets TCP listeners and bound UDP sockets
 */
public record NetworkSnapshot(List<Link> links, List<Address> addresses, List<Route> routes,
    List<Neighbour> neighbours, List<InetSocket> sockets) {

  /** Copies the lists so the snapshot is immutable. */
  public NetworkSnapshot {
    links = List.copyOf(links);
    addresses = List.copyOf(addresses);
    routes = List.copyOf(routes);
    neighbours = List.copyOf(neighbours);
    sockets = List.copyOf(sockets);
  }

  /** The interface called {@code name}, if any. */
  public Optional<Link> link(String name) {
    return links.stream().filter(l -> l.name().equals(name)).findFirst();
  }

  /** The addresses on the interface called {@code name}. */
  public List<Address> addressesOf(String name) {
    return addresses.stream().filter(a -> name.equals(a.interfaceName())).collect(Collectors.toList());
  }

  /** The interfaces' names, in ifindex order. */
  public List<String> linkNames() {
    return links.stream().map(Link::name).collect(Collectors.toList());
  }

  /** Like {@code ip addr}: each link followed by its addresses. */
  public String ipAddr() {
    StringBuilder sb = new StringBuilder();
    for (Link l : links) {
      sb.append(l).append('\n');
      for (Address a : addresses) {
        if (a.index() == l.index()) {
          sb.append("    ").append(a).append('\n');
        }
      }
    }
    return sb.toString();
  }

  /** Like {@code ip route; ip -6 route}. */
  public String ipRoute() {
    StringBuilder sb = new StringBuilder();
    for (Route r : routes) {
      sb.append(r).append('\n');
    }
    return sb.toString();
  }

  /** Like {@code ss -Hltnu}. */
  public String ss() {
    StringBuilder sb = new StringBuilder();
    for (InetSocket s : sockets) {
      sb.append(s).append('\n');
    }
    return sb.toString();
  }

  /** The three dumps under headings, for failure messages. */
  @Override
  public String toString() {
    return "$ ip addr\n" + ipAddr() + "$ ip route\n" + ipRoute() + "$ ss -ltnu\n" + ss();
  }
}
