package dev.nsunit;

import dev.nsunit.internal.capture.PacketCapture;
import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.InetSocket;
import dev.nsunit.model.IpPrefix;
import dev.nsunit.model.Neighbour;
import dev.nsunit.model.NetworkSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What a failed test leaves for whoever reads its report: a state dump of every endpoint it used
 * and of the lab host (links, addresses, routes, neighbours, sockets, active faults), a pcap of
 * each captured endpoint's traffic during the test, and the topology as Mermaid text and as SVG.
 * Made only when a test fails; each piece is one file.
 */
final class FailureEvidence {
  /** One file of evidence. */
  static final class Item {
    private final String fileName;
    private final String mediaType;
    private final byte[] content;

    Item(String fileName, String mediaType, byte[] content) {
      this.fileName = fileName;
      this.mediaType = mediaType;
      this.content = content;
    }

    String fileName() {
      return fileName;
    }

    String mediaType() {
      return mediaType;
    }

    byte[] content() {
      return content.clone();
    }
  }

  private FailureEvidence() {}

  /**
   * The evidence of the failed test {@code test}.
   *
   * @param endpoints the endpoints the test used, by name, the test's own first
   * @param sinceEpochNanos when the test started, on the capture's clock
   */
  static List<Item> collect(String test, Throwable failure, Map<String, NetworkNamespace> endpoints,
      NetworkNamespace labHost, long sinceEpochNanos) {
    List<Item> items = new ArrayList<>();
    items.add(new Item("nsunit-state.txt", "text/plain; charset=UTF-8",
        dump(test, failure, endpoints, labHost).getBytes(StandardCharsets.UTF_8)));
    for (Map.Entry<String, NetworkNamespace> e : endpoints.entrySet()) {
      Optional<PacketCapture.Session> capture = Captures.of(e.getValue().netns());
      capture.ifPresent(c -> items.add(new Item("nsunit-" + fileSafe(e.getKey()) + ".pcap",
          "application/vnd.tcpdump.pcap", c.pcap(sinceEpochNanos))));
    }
    Topology topology = Topology.of(endpoints);
    items.add(new Item("nsunit-topology.mmd", "text/plain; charset=UTF-8",
        topology.mermaid().getBytes(StandardCharsets.UTF_8)));
    items.add(new Item("nsunit-topology.svg", "image/svg+xml", topology.svg().getBytes(StandardCharsets.UTF_8)));
    return items;
  }

  static String fileSafe(String name) {
    return name.replaceAll("[^A-Za-z0-9._-]", "_");
  }

  static String dump(String test, Throwable failure, Map<String, NetworkNamespace> endpoints, NetworkNamespace labHost) {
    StringBuilder sb = new StringBuilder();
    sb.append("# nsunit: the network of ").append(test).append(" when it failed\n");
    sb.append("# ").append(firstLine(String.valueOf(failure))).append("\n\n");
    for (Map.Entry<String, NetworkNamespace> e : endpoints.entrySet()) {
      section(sb, "endpoint " + e.getKey(), e.getValue());
    }
    if (labHost != null) {
      section(sb, "lab host (the bridges' side of every veth)", labHost);
    }
    return sb.toString();
  }

  private static void section(StringBuilder sb, String title, NetworkNamespace ns) {
    sb.append("## ").append(title).append(" (net:[").append(ns.id().inode()).append("])\n");
    if (ns.isClosed()) {
      sb.append("(closed before the test ended)\n\n");
      return;
    }
    try {
      NetworkSnapshot s = ns.snapshot();
      sb.append("$ ip addr\n").append(s.ipAddr());
      sb.append("$ ip route\n").append(s.ipRoute());
      sb.append("$ ip neigh\n");
      for (Neighbour n : s.neighbours()) {
        sb.append(n).append('\n');
      }
      sb.append("$ ss -tuna\n");
      sb.append(String.format("%-5s %-7s %-6s %-6s %s %s%n", "Netid", "State", "Recv-Q", "Send-Q", "Local", "Peer"));
      for (InetSocket socket : ns.netns().inspect(() -> ns.netns().sockDiag().all())) {
        sb.append(socket).append('\n');
      }
      List<String> faults = EndpointNetworks.faultsOf(ns.netns());
      sb.append("$ faults (nsunit)\n");
      if (faults.isEmpty()) {
        sb.append("none\n");
      }
      faults.forEach(f -> sb.append(f).append('\n'));
      Optional<PacketCapture.Session> capture = Captures.of(ns.netns());
      capture.ifPresent(c -> sb.append("$ capture\n").append(c.frames()).append(" frames seen, ").append(c.evicted())
          .append(" of them no longer in the ring\n"));
    } catch (RuntimeException e) {
      sb.append("(could not read: ").append(e).append(")\n");
    }
    sb.append('\n');
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl) + " ...";
  }

  /** The endpoints, their networks and faults, drawn. */
  record Topology(Map<String, List<NetworkAttachment>> endpoints, Map<String, String> networks,
      Map<String, List<String>> faults) {

    static Topology of(Map<String, NetworkNamespace> endpoints) {
      Map<String, List<NetworkAttachment>> attachments = new LinkedHashMap<>();
      Map<String, String> networks = new LinkedHashMap<>();
      Map<String, List<String>> faults = new LinkedHashMap<>();
      for (Map.Entry<String, NetworkNamespace> e : endpoints.entrySet()) {
        NetworkNamespace ns = e.getValue();
        List<NetworkAttachment> mine = ns.isClosed() ? List.of() : ns.networks();
        attachments.put(e.getKey(), mine);
        for (NetworkAttachment a : mine) {
          IpPrefix subnet = new IpPrefix(a.address(), a.prefixLength());
          networks.putIfAbsent(a.network(), InetAddresses.format(subnet.network()) + "/" + a.prefixLength()
              + ", gateway " + InetAddresses.format(a.gateway()));
        }
        faults.put(e.getKey(), EndpointNetworks.faultsOf(ns.netns()));
      }
      return new Topology(attachments, networks, faults);
    }

    String mermaid() {
      StringBuilder sb = new StringBuilder("graph LR\n");
      for (Map.Entry<String, String> n : networks.entrySet()) {
        sb.append("  ").append(id("net", n.getKey())).append("[(\"").append(n.getKey()).append("<br/>")
            .append(n.getValue()).append("\")]\n");
      }
      Map<String, String> faultIds = new LinkedHashMap<>(); // one node per fault, linked to every endpoint it touches
      for (Map.Entry<String, List<NetworkAttachment>> e : endpoints.entrySet()) {
        String ep = id("ep", e.getKey());
        sb.append("  ").append(ep).append("[\"").append(e.getKey()).append("\"]\n");
        for (NetworkAttachment a : e.getValue()) {
          sb.append("  ").append(ep).append(" -- \"").append(a.interfaceName()).append(' ')
              .append(InetAddresses.format(a.address())).append("\" --- ").append(id("net", a.network())).append('\n');
        }
        for (String f : faults.getOrDefault(e.getKey(), List.of())) {
          String fid = faultIds.get(f);
          if (fid == null) {
            fid = "fault" + faultIds.size();
            faultIds.put(f, fid);
            sb.append("  ").append(fid).append(">\"").append(f.replace("\"", "'")).append("\"]\n");
            sb.append("  style ").append(fid).append(" fill:#fdd,stroke:#c00\n");
          }
          sb.append("  ").append(fid).append(" -.- ").append(ep).append('\n');
        }
      }
      return sb.toString();
    }

    String svg() {
      int boxW = 200;
      int gap = 40;
      List<String> nets = new ArrayList<>(networks.keySet());
      List<String> eps = new ArrayList<>(endpoints.keySet());
      int columns = Math.max(1, Math.max(nets.size(), eps.size()));
      int width = columns * (boxW + gap) + gap;
      int maxFaults = faults.values().stream().mapToInt(List::size).max().orElse(0);
      int height = 260 + 16 * maxFaults;
      StringBuilder sb = new StringBuilder();
      sb.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
          .append(height).append("\" font-family=\"monospace\" font-size=\"12\">\n");
      sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
      Map<String, Integer> netX = new LinkedHashMap<>();
      for (int i = 0; i < nets.size(); i++) {
        int x = gap + i * (boxW + gap);
        netX.put(nets.get(i), x + boxW / 2);
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"20\" width=\"%d\" height=\"44\" rx=\"12\" fill=\"#e8f0fe\""
            + " stroke=\"#1a73e8\"/>%n", x, boxW));
        text(sb, x + 8, 38, nets.get(i), "bold");
        text(sb, x + 8, 54, networks.get(nets.get(i)), null);
      }
      for (int i = 0; i < eps.size(); i++) {
        int x = gap + i * (boxW + gap);
        int cx = x + boxW / 2;
        List<NetworkAttachment> mine = endpoints.get(eps.get(i));
        for (NetworkAttachment a : mine) {
          Integer nx = netX.get(a.network());
          if (nx != null) {
            sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"150\" x2=\"%d\" y2=\"64\" stroke=\"#555\"/>%n",
                cx, nx));
            text(sb, (cx + nx) / 2 + 4, 110 + 14 * mine.indexOf(a),
                a.interfaceName() + " " + InetAddresses.format(a.address()), null);
          }
        }
        sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"150\" width=\"%d\" height=\"36\" fill=\"#f1f3f4\""
            + " stroke=\"#333\"/>%n", x, boxW));
        text(sb, x + 8, 172, eps.get(i), "bold");
        int y = 204;
        for (String f : faults.getOrDefault(eps.get(i), List.of())) {
          sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" fill=\"#c00\">%s</text>%n", x, y, escape("⚡ " + f)));
          y += 16;
        }
      }
      return sb.append("</svg>\n").toString();
    }

    private static void text(StringBuilder sb, int x, int y, String text, String weight) {
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\"%s>%s</text>%n", x, y,
          weight == null ? "" : " font-weight=\"" + weight + "\"", escape(text)));
    }

    private static String escape(String s) {
      return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String id(String kind, String name) {
      return kind + "_" + name.replaceAll("[^A-Za-z0-9]", "_");
    }
  }
}
