package dev.nsunit.oracle;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * One generated namespace configuration for the oracle: the {@code ip} commands that build it
 * (so the engine's own netlink writer plays no part) and the sockets to open inside.
 *
 * @param number the configuration's position in the run, part of every address it uses
 * @param seed the seed it was generated from (rerun one configuration by its seed)
 * @param named whether the namespace is made with {@code ip netns add} and opened by path,
 *     rather than created fd-held by {@code NetworkNamespace.create()}
 * @param dad whether IPv6 duplicate address detection stays on (otherwise accept_dad=0)
 * @param loUp whether {@code lo} is up (always for fd-held namespaces, which start with lo up)
 * @param commands {@code ip} argument lists for the namespace, in order; {@link #PEER} stands
 *     for the peer namespace's path
 * @param peerCommands {@code ip} argument lists for the peer namespace (empty: no peer)
 * @param links the interface names the namespace must end up with
 * @param peerLinks the interface names the peer namespace must end up with
 * @param listeners the sockets to open in the namespace
 */
record OracleConfiguration(int number, long seed, boolean named, boolean dad, boolean loUp,
    List<List<String>> commands, List<List<String>> peerCommands, List<String> links,
    List<String> peerLinks, List<Listener> listeners) {

  /** Placeholder for the peer namespace's path in {@link #commands}. */
  static final String PEER = "{peer}";

  /** Whether a second namespace holds the far ends of some veths. */
  boolean hasPeer() {
    return !peerCommands.isEmpty();
  }

  /** The name JUnit shows. */
  @Override
  public String toString() {
    return String.format("#%d seed=%d %s%s links=%s listeners=%d", number, seed,
        named ? "ip-netns-add " : "fd-held ", hasPeer() ? "+peer" : "", links, listeners.size());
  }

  /** The commands as a shell transcript, for failure messages. */
  String transcript() {
    StringBuilder sb = new StringBuilder();
    for (List<String> c : commands) {
      sb.append("  ip ").append(String.join(" ", c)).append('\n');
    }
    for (List<String> c : peerCommands) {
      sb.append("  (peer) ip ").append(String.join(" ", c)).append('\n');
    }
    for (Listener l : listeners) {
      sb.append("  listen ").append(l).append('\n');
    }
    return sb.toString();
  }

  /** How a listener's socket is made. */
  enum Api {
    /** {@code new ServerSocket} / {@code new DatagramSocket}: an AF_INET6 socket, dual-stack. */
    JAVA_SOCKET,
    /** {@code ServerSocketChannel.open(INET)} / {@code DatagramChannel.open(INET)}: AF_INET. */
    JAVA_INET_CHANNEL,
    /** A python3 AF_INET socket. */
    PYTHON_INET,
    /** A python3 AF_INET6 socket with IPV6_V6ONLY set as {@link Listener#v6only()} says. */
    PYTHON_INET6
  }

  /**
   * A socket to open inside the namespace.
   *
   * @param api how it is made
   * @param tcp TCP listener, else bound UDP socket
   * @param host the bind address literal, or {@code null} for Java's wildcard
   * @param port the port
   * @param backlog the TCP backlog (ss's Send-Q of a listener)
   * @param v6only IPV6_V6ONLY for {@link Api#PYTHON_INET6}
   * @param pending connect once without accepting (TCP) or send one datagram that is never read
   *     (UDP), so Recv-Q is not zero
   * @param pendingTarget the address the pending client connects or sends to
   */
  record Listener(Api api, boolean tcp, String host, int port, int backlog, boolean v6only,
      boolean pending, String pendingTarget) {
    @Override
    public String toString() {
      return api + " " + (tcp ? "tcp" : "udp") + " " + (host == null ? "*" : host) + " port " + port
          + (api == Api.PYTHON_INET6 ? " v6only=" + v6only : "") + (tcp ? " backlog " + backlog : "")
          + (pending ? " +pending from " + pendingTarget : "");
    }
  }

  /** Kernel features the generator may use; the kernel of this machine kind lacks many. */
  record Features(boolean macvlan, boolean vxlan) {}

  /** Generates configuration {@code number} from {@code seed}; the same inputs give the same result. */
  static OracleConfiguration generate(int number, long seed, Features features) {
    return new Generator(number, seed, features).build();
  }

  /** An interface that can carry addresses, and what it ended up with. */
  private static final class L3 {
    final String name;
    final boolean up;
    String anchor4; // a global IPv4 address with a connected route, on an up link
    String gateway4; // another address in anchor4's subnet
    String anchor6;
    String gateway6;

    L3(String name, boolean up) {
      this.name = name;
      this.up = up;
    }
  }

  private static final class Generator {
    private static final int[] MTUS = {1280, 1400, 1500, 9000};
    private static final int[] V4_LENGTHS = {24, 24, 25, 28, 30, 31, 32};

    private final int n;
    private final long seed;
    private final Features features;
    private final Random r;
    private final List<List<String>> main = new ArrayList<>();
    private final List<List<String>> peer = new ArrayList<>();
    private final List<String> links = new ArrayList<>(List.of("lo"));
    private final List<String> peerLinks = new ArrayList<>();
    private final List<String> upLinks = new ArrayList<>();
    private final List<L3> l3 = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();
    private int subnet;
    private int route;

    Generator(int number, long seed, Features features) {
      this.n = number;
      this.seed = seed;
      this.features = features;
      this.r = new Random(seed);
    }

    OracleConfiguration build() {
      boolean named = n % 6 == 1;
      boolean dad = r.nextInt(5) == 0;
      boolean loUp = !named || r.nextInt(4) != 0;
      if (named && loUp) {
        main("link set lo up");
      }
      l3.add(new L3("lo", loUp));
      linksAndPorts();
      for (String up : upLinks) {
        main("link set " + up + " up");
      }
      for (L3 i : l3) {
        addresses(i, dad);
      }
      routes();
      listeners(loUp);
      return new OracleConfiguration(n, seed, named, dad, loUp, List.copyOf(main), List.copyOf(peer),
          List.copyOf(links), List.copyOf(peerLinks), List.copyOf(listeners));
    }

    private void linksAndPorts() {
      int bridges = r.nextInt(3);
      for (int j = 0; j < bridges; j++) {
        String br = "br" + j;
        main("link add " + br + (r.nextInt(4) == 0 ? " address " + mac(9, j) : "") + " type bridge");
        links.add(br);
        if (r.nextInt(5) != 0) {
          upLinks.add(br);
          l3.add(new L3(br, true));
        } else {
          l3.add(new L3(br, false));
        }
      }
      int veths = 1 + r.nextInt(3);
      List<String> parents = new ArrayList<>();
      for (int i = 0; i < veths; i++) {
        String a = "veth" + i;
        boolean moved = r.nextInt(4) == 0;
        String b = moved ? "eth" + i : "vpeer" + i;
        StringBuilder c = new StringBuilder("link add ").append(a);
        if (r.nextInt(3) == 0) {
          c.append(" mtu ").append(MTUS[r.nextInt(MTUS.length)]);
        }
        if (r.nextInt(3) == 0) {
          c.append(" address ").append(mac(i, 0));
        }
        c.append(" type veth peer name ").append(b);
        if (r.nextInt(4) == 0) {
          c.append(" mtu ").append(MTUS[r.nextInt(MTUS.length)]);
        }
        if (r.nextInt(3) == 0) {
          c.append(" address ").append(mac(i, 1));
        }
        if (moved) {
          c.append(" netns ").append(PEER);
        }
        main(c.toString());
        links.add(a);
        parents.add(a);
        boolean aUp = r.nextInt(6) != 0;
        boolean bUp = r.nextInt(4) != 0;
        if (aUp) {
          upLinks.add(a);
        }
        l3.add(new L3(a, aUp));
        if (moved) {
          peerSide(i, b, bUp);
        } else {
          links.add(b);
          if (bUp) {
            upLinks.add(b);
          }
          if (bridges > 0 && r.nextBoolean()) {
            main("link set " + b + " master br" + r.nextInt(bridges));
          } else {
            l3.add(new L3(b, bUp));
          }
        }
      }
      if (features.macvlan() && r.nextInt(3) == 0) {
        String mode = new String[] {"bridge", "private", "vepa"}[r.nextInt(3)];
        main("link add mv0 link " + parents.get(r.nextInt(parents.size())) + " type macvlan mode " + mode);
        links.add("mv0");
        boolean up = r.nextBoolean();
        if (up) {
          upLinks.add("mv0");
        }
        l3.add(new L3("mv0", up));
      }
      if (features.vxlan() && r.nextInt(3) == 0) {
        main("link add vx0 type vxlan id " + (100 + n) + " dev " + parents.get(r.nextInt(parents.size()))
            + " dstport 4789");
        links.add("vx0");
        boolean up = r.nextBoolean();
        if (up) {
          upLinks.add("vx0");
        }
        l3.add(new L3("vx0", up));
      }
    }

    /** The far end of veth i lives in the peer namespace, with addresses and a default route. */
    private void peerSide(int i, String b, boolean up) {
      if (peerLinks.isEmpty()) {
        peerLinks.add("lo");
      }
      peerLinks.add(b);
      if (!up) {
        return;
      }
      peer.add(split("link set " + b + " up"));
      peer.add(split("addr add 10." + n + "." + (200 + i) + ".2/24 brd + dev " + b));
      peer.add(split("-6 addr add fd00:" + n + ":" + (200 + i) + "::2/64 dev " + b + " nodad"));
      if (peer.stream().noneMatch(c -> c.contains("default"))) {
        peer.add(split("route add default via 10." + n + "." + (200 + i) + ".1 metric 7"));
      }
    }

    private void addresses(L3 i, boolean dad) {
      boolean lo = i.name.equals("lo");
      int v4 = lo ? (r.nextInt(3) == 0 ? 1 : 0) : r.nextInt(3);
      if (v4 > 0) {
        int s = ++subnet;
        int len = lo ? 32 : V4_LENGTHS[r.nextInt(V4_LENGTHS.length)];
        int count = len >= 31 ? 1 : v4;
        int scope = r.nextInt(10); // one per subnet: the kernel refuses a secondary of another scope
        for (int k = 0; k < count; k++) {
          String addr = "10." + n + "." + s + "." + (len >= 31 ? 0 : k + 1);
          StringBuilder c = new StringBuilder("addr add ").append(addr).append('/').append(len);
          if (r.nextBoolean()) {
            c.append(" brd +");
          }
          c.append(" dev ").append(i.name);
          if (r.nextInt(5) == 0 && i.name.length() + 2 <= 15) {
            c.append(" label ").append(i.name).append(':').append(k);
          }
          if (scope == 0) {
            c.append(" scope link");
          } else if (scope == 1) {
            c.append(" scope host");
          }
          main(c.toString());
          if (k == 0 && scope > 1 && len <= 28 && i.up && !lo) {
            i.anchor4 = addr;
            i.gateway4 = "10." + n + "." + s + "." + ((1 << (32 - len)) - 2);
          }
        }
      }
      int v6 = lo ? (r.nextInt(3) == 0 ? 1 : 0) : r.nextInt(3);
      if (v6 > 0) {
        int s = ++subnet;
        int len = lo ? 128 : new int[] {64, 64, 64, 80, 128}[r.nextInt(5)];
        int count = len == 128 ? 1 : v6;
        for (int k = 0; k < count; k++) {
          String addr = "fd00:" + n + ":" + s + "::" + (k + 1);
          StringBuilder c = new StringBuilder("-6 addr add ").append(addr).append('/').append(len)
              .append(" dev ").append(i.name);
          boolean nodad = !dad || r.nextBoolean();
          if (nodad) {
            c.append(" nodad");
          }
          boolean noprefixroute = r.nextInt(5) == 0;
          if (noprefixroute) {
            c.append(" noprefixroute");
          }
          int lifetime = r.nextInt(8);
          if (lifetime == 0) {
            c.append(" valid_lft 3600 preferred_lft 1800");
          } else if (lifetime == 1) {
            c.append(" valid_lft 3600 preferred_lft 0");
          }
          main(c.toString());
          if (i.anchor6 == null && nodad && !noprefixroute && lifetime > 1 && len == 64 && i.up && !lo) {
            i.anchor6 = addr;
            i.gateway6 = "fd00:" + n + ":" + s + "::fe";
          }
        }
      }
    }

    private void routes() {
      boolean default4 = false;
      boolean default6 = false;
      for (L3 i : l3) {
        if (i.anchor4 != null) {
          for (int k = r.nextInt(3); k > 0; k--) {
            int kind = r.nextInt(3);
            int c = route++ % 16;
            StringBuilder s;
            if (kind == 0) {
              s = new StringBuilder("route add 198.51.100." + 16 * c + "/28 via " + i.gateway4 + " dev " + i.name);
              if (r.nextBoolean()) {
                s.append(" src ").append(i.anchor4);
              }
              if (r.nextInt(3) == 0) {
                s.append(" proto static");
              }
            } else if (kind == 1) {
              s = new StringBuilder("route add 203.0.113." + (c + 1) + " dev " + i.name + " scope link");
            } else {
              s = new StringBuilder("route add 203.0.113." + (128 + 8 * c) + "/29 via 192.0.2." + (c + 1)
                  + " dev " + i.name + " onlink");
            }
            if (r.nextBoolean()) {
              s.append(" metric ").append(1 + r.nextInt(500));
            }
            main(s.toString());
          }
          if (!default4 && r.nextBoolean()) {
            default4 = true;
            main("route add default via " + i.gateway4 + (r.nextBoolean() ? " metric " + (1 + r.nextInt(100)) : ""));
          }
        }
        if (i.anchor6 != null) {
          for (int k = r.nextInt(3); k > 0; k--) {
            int c = route++;
            StringBuilder s = r.nextBoolean()
                ? new StringBuilder("-6 route add 2001:db8:" + c + "::/64 via " + i.gateway6 + " dev " + i.name)
                : new StringBuilder("-6 route add 2001:db8:ffff::" + c + "/128 dev " + i.name);
            if (r.nextBoolean()) {
              s.append(" metric ").append(1 + r.nextInt(2000));
            }
            int pref = r.nextInt(4);
            if (pref == 0) {
              s.append(" pref high");
            } else if (pref == 1) {
              s.append(" pref low");
            }
            main(s.toString());
          }
          if (!default6 && r.nextBoolean()) {
            default6 = true;
            main("-6 route add default via " + i.gateway6 + (r.nextBoolean() ? " metric " + (1 + r.nextInt(100)) : ""));
          }
        }
      }
      if (r.nextInt(3) == 0) {
        main("route add unreachable 192.0.2.64/26");
      }
      if (r.nextInt(3) == 0) {
        main("route add blackhole 192.0.2.128/26" + (r.nextBoolean() ? " metric 9" : ""));
      }
      if (r.nextInt(4) == 0) {
        main("route add prohibit 192.0.2.192/26");
      }
      if (r.nextInt(3) == 0) {
        main("-6 route add unreachable 2001:db8:dead::/48");
      }
      if (r.nextInt(4) == 0) {
        main("-6 route add blackhole 2001:db8:beef::/48 metric 5");
      }
    }

    private void listeners(boolean loUp) {
      String anchor4 = l3.stream().map(i -> i.anchor4).filter(a -> a != null).findFirst().orElse(null);
      String anchor6 = l3.stream().map(i -> i.anchor6).filter(a -> a != null).findFirst().orElse(null);
      int count = r.nextInt(6);
      for (int k = 0; k < count; k++) {
        int port = 30000 + 20 * n + k;
        int backlog = 1 + r.nextInt(100);
        boolean pending = loUp && r.nextInt(3) == 0;
        switch (r.nextInt(12)) {
          case 0:
            add(Api.JAVA_SOCKET, true, null, port, backlog, false, pending, "127.0.0.1");
            break;
          case 1:
            if (loUp) {
              add(Api.JAVA_SOCKET, true, "127.0.0.1", port, backlog, false, pending, "127.0.0.1");
            }
            break;
          case 2:
            if (loUp) {
              add(Api.JAVA_SOCKET, true, "::1", port, backlog, false, pending, "::1");
            }
            break;
          case 3:
            add(Api.JAVA_INET_CHANNEL, true, "0.0.0.0", port, backlog, false, pending, "127.0.0.1");
            break;
          case 4:
            add(Api.JAVA_SOCKET, false, null, port, 0, false, pending, "::1");
            break;
          case 5:
            String host = anchor4 != null && r.nextBoolean() ? anchor4 : "0.0.0.0";
            add(Api.JAVA_INET_CHANNEL, false, host, port, 0, false, pending,
                host.equals("0.0.0.0") ? "127.0.0.1" : host);
            break;
          case 6:
            add(Api.PYTHON_INET6, true, "::", port, backlog, true, pending, "::1");
            break;
          case 7:
            add(Api.PYTHON_INET6, false, "::", port, 0, true, pending, "::1");
            break;
          case 8:
            String h = loUp && r.nextBoolean() ? "127.0.0.1" : "0.0.0.0";
            add(Api.PYTHON_INET, true, h, port, backlog, false, pending, "127.0.0.1");
            break;
          case 9:
            add(Api.PYTHON_INET6, r.nextBoolean(), "::", port, backlog, false, pending, "127.0.0.1");
            break;
          case 10:
            String h6 = anchor6 != null ? anchor6 : loUp ? "::1" : "::";
            add(Api.PYTHON_INET6, false, h6, port, 0, false, pending, h6.equals("::") ? "::1" : h6);
            break;
          default:
            if (anchor4 != null) {
              add(Api.JAVA_SOCKET, true, anchor4, port, backlog, false, pending, anchor4);
            }
            break;
        }
      }
    }

    private void add(Api api, boolean tcp, String host, int port, int backlog, boolean v6only,
        boolean pending, String target) {
      listeners.add(new Listener(api, tcp, host, port, tcp ? backlog : 0, v6only, pending, target));
    }

    private void main(String command) {
      main.add(split(command));
    }

    private static List<String> split(String command) {
      return List.of(command.split(" "));
    }

    /** A locally administered unicast MAC that encodes configuration, device and end. */
    private String mac(int device, int end) {
      return String.format("02:%02x:%02x:%02x:%02x:%02x", n & 0xff, device & 0xff, end & 0xff,
          r.nextInt(256), r.nextInt(256));
    }
  }
}
