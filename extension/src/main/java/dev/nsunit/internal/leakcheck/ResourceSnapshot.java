package dev.nsunit.internal.leakcheck;

import dev.nsunit.internal.escape.EscapeMonitor;
import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.NamespacePool;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.model.Link;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What a test run could leak, read at one moment: the real host's links, addresses and routes
 * (through netlink, not {@code ip}), the named namespaces in {@code /run/netns}, the JVM's live
 * child processes, its descriptors that hold a namespace or are kernel objects (sockets, pipes,
 * anonymous inodes; regular files are left out because class loading opens jars for good), its
 * {@code nsunit-*} threads and the lab's veths.
 *
 * <p>The lab host lives for the whole JVM by design, so its own descriptors (namespace,
 * rtnetlink, sock_diag) and its threads are not counted; its veths are, because each belongs to
 * one endpoint and must go with it. The same goes for the escape monitor's two sockets and its
 * thread.
 */
record ResourceSnapshot(
    List<String> hostLinks,
    List<String> hostAddresses,
    List<String> hostRoutes,
    Set<String> namedNamespaces,
    Map<Long, String> processes,
    Set<String> namespaceFds,
    int kernelObjectFds,
    Set<String> threads,
    Set<String> labVeths) {
  private static final int SO_DOMAIN = 39;

  /** Reads everything now; counts only named namespaces whose name starts with {@code netnsPrefix}. */
  static ResourceSnapshot take(String netnsPrefix) {
    // namespaces built ahead of time belong to no test; the check runs before the first test and
    // after the last, when the pool has no more use
    NamespacePool.shared().drain();
    List<String> links;
    List<String> addresses;
    List<String> routes;
    try (Netns host = Netns.host()) {
      List<Link> l = host.rtnetlink().links();
      // what a test could change (name, kind, admin state, MTU, MAC, master), not the carrier
      // state, which follows cables and other programs' containers
      links = l.stream().map(x -> x.name() + " " + x.kind().orElse("-") + (x.isUp() ? " up" : " down") + " mtu " + x.mtu()
          + " " + x.mac().orElse("-") + " master " + x.master().orElse("-")).sorted().collect(Collectors.toList());
      // identity, not state: the kernel flips flags such as "tentative" by itself (DAD finishing
      // on an interface another program just created), which is not a change the tests made
      addresses = host.rtnetlink().addresses(l).stream()
          .map(a -> a.interfaceName() + " " + (a.isIpv6() ? "inet6 " : "inet ") + a.prefix() + " scope " + a.scopeName())
          .sorted().collect(Collectors.toList());
      routes = host.rtnetlink().routes(l).stream().map(r -> r.toString().replace(" linkdown", ""))
          .sorted().collect(Collectors.toList());
    }
    Optional<Netns> lab = Lab.existing().map(Lab::netns);
    Set<String> labNs = new TreeSet<>();
    Set<Thread> labThreads = new HashSet<>();
    Set<String> labVeths = new TreeSet<>();
    int labKernelFds = 0;
    if (lab.isPresent()) {
      Netns n = lab.get();
      n.sockDiag(); // opened once for the JVM; open it now so it counts the same before and after
      labNs.add("net:[" + n.id().inode() + "]");
      labKernelFds = 2; // its rtnetlink and sock_diag sockets
      labThreads.addAll(n.liveThreads());
      // the outside world and the LANs of macvlan networks live as long as the lab, by design
      for (Netns o : Lab.existing().map(Lab::ownedNamespaces).orElse(List.of())) {
        o.sockDiag();
        labNs.add("net:[" + o.id().inode() + "]");
        labKernelFds += 2;
        labThreads.addAll(o.liveThreads());
      }
      for (Link l : n.rtnetlink().links()) {
        // the lab's own veths (nsunit-uplink, macvlan parents) live with it; endpoints' are nsuv...
        if (l.kind().filter("veth"::equals).isPresent() && !l.name().startsWith("nsunit-")) {
          labVeths.add(l.name() + l.master().map(m -> " master " + m).orElse(""));
        }
      }
    }
    // The escape monitor of the JVM's own namespace also lives for the whole JVM, by design.
    Optional<EscapeMonitor> escapeMonitor = EscapeMonitor.existingForJvm();
    // The JVM's own namespace is no leak: the namespace maker holds it while it lives.
    labNs.add("net:[" + Netns.currentThreadNamespaceInode() + "]");
    // and the nursery new namespaces are made from lives as long as the JVM
    labNs.add("net:[" + NamespacePool.nurseryInode() + "]");
    Set<String> nsFds = new TreeSet<>();
    int kernelFds = 0;
    for (Path fd : list(Path.of("/proc/self/fd"))) {
      String target;
      try {
        target = Files.readSymbolicLink(fd).toString();
      } catch (IOException e) {
        continue; // the descriptor listing itself, closed meanwhile
      }
      if (target.startsWith("net:[")) {
        if (!labNs.contains(target)) {
          nsFds.add("fd " + fd.getFileName() + " -> " + target);
        }
      } else if (target.startsWith("socket:[") || target.startsWith("pipe:[") || target.startsWith("anon_inode:")) {
        if (!isUnixSocket(fd, target)) {
          kernelFds++;
        }
      }
    }
    Map<Long, String> processes = new TreeMap<>();
    ProcessHandle.current().descendants().filter(ResourceSnapshot::running)
        .forEach(p -> processes.put(p.pid(), p.info().commandLine().orElse("?")));
    Set<String> threads = new TreeSet<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      // the namespace maker is shared by the JVM and ends after 1 s idle; this check itself uses it
      if (t.getName().startsWith("nsunit-") && !t.getName().startsWith("nsunit-maker-") && t.isAlive()
          && !labThreads.contains(t) && !escapeMonitor.map(m -> m.owns(t)).orElse(false)) {
        threads.add(t.getName());
      }
    }
    Set<String> named = new TreeSet<>();
    for (Path p : list(Path.of("/run/netns"))) {
      String name = p.getFileName().toString();
      if (name.startsWith(netnsPrefix)) {
        named.add(name);
      }
    }
    return new ResourceSnapshot(links, addresses, routes, named, processes, nsFds,
        Math.max(0, kernelFds - labKernelFds - escapeMonitor.map(EscapeMonitor::descriptorCount).orElse(0)), threads,
        labVeths);
  }

  /**
   * Whether a descriptor is a Unix-domain socket. The JVM opens such sockets of its own, lazily and
   * at moments that vary by JDK (some open one mid-run, in whatever namespace the thread that
   * first needed it was in); nsunit never makes one, so they are not counted.
   */
  private static boolean isUnixSocket(Path fd, String target) {
    if (!target.startsWith("socket:[")) {
      return false;
    }
    try {
      int domain = (int) Libc.getsockoptLong(Integer.parseInt(fd.getFileName().toString()), Libc.SOL_SOCKET, SO_DOMAIN);
      return domain == Libc.AF_UNIX;
    } catch (RuntimeException e) {
      return false; // closed meanwhile, or not ours to ask: count it, the strict way
    }
  }

  /** A zombie has released its namespaces and descriptors; only running processes count. */
  private static boolean running(ProcessHandle p) {
    try {
      String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static List<Path> list(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.collect(Collectors.toList());
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * What is here but not in {@code baseline}, and what vanished from the real host, one line per
   * difference; empty when nothing leaked.
   */
  List<String> leaksSince(ResourceSnapshot baseline) {
    List<String> out = new ArrayList<>();
    diff("host link", baseline.hostLinks, hostLinks, out);
    diff("host address", baseline.hostAddresses, hostAddresses, out);
    diff("host route", baseline.hostRoutes, hostRoutes, out);
    added("named namespace /run/netns/", baseline.namedNamespaces, namedNamespaces, out);
    for (Map.Entry<Long, String> p : processes.entrySet()) {
      if (!baseline.processes.containsKey(p.getKey())) {
        out.add("process still running: pid " + p.getKey() + " " + p.getValue());
      }
    }
    added("descriptor holding a namespace: ", baseline.namespaceFds, namespaceFds, out);
    if (kernelObjectFds > baseline.kernelObjectFds) {
      out.add("socket/pipe/anon_inode descriptors: " + kernelObjectFds + ", before the run: " + baseline.kernelObjectFds);
    }
    added("thread still alive: ", baseline.threads, threads, out);
    for (String veth : labVeths) {
      if (!baseline.labVeths.contains(veth)) {
        // whose it was: the namespace behind it has ended, so something still holds that namespace
        Optional<String> owner = Lab.existing().flatMap(l -> l.departureOf(veth.split(" ", 2)[0]));
        out.add("lab veth still present: " + veth + owner.map(o -> " (of " + o + ")").orElse(""));
      }
    }
    return out;
  }

  private static void diff(String what, List<String> before, List<String> after, List<String> out) {
    for (String s : after) {
      if (!before.contains(s)) {
        out.add(what + " appeared: " + s);
      }
    }
    for (String s : before) {
      if (!after.contains(s)) {
        out.add(what + " changed or vanished: " + s);
      }
    }
  }

  private static void added(String what, Set<String> before, Set<String> after, List<String> out) {
    for (String s : after) {
      if (!before.contains(s)) {
        out.add(what + s);
      }
    }
  }
}
