package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.BridgeNetwork;
import dev.nsunit.Faults;
import dev.nsunit.LabHost;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.NoNetwork;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.JavaProcess;
import dev.nsunit.testing.ListenMain;
import dev.nsunit.testing.Shell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineExecutionResults;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The test JVM dies by SIGKILL in the middle of a test that runs a server in a bridge endpoint
 * (plus a static endpoint with a process of its own), with latency, loss and a rate limit in
 * effect on it: afterwards nothing it made remains.
 * Checked through independent views: the processes, {@code ip netns}, the host's links, whether
 * any task or descriptor on the machine still refers to the dead JVM's namespaces. Not the
 * kernel's count of {@code net_namespace} objects: on this kernel it stayed high for over a
 * minute with nothing referencing a namespace, so it proves nothing either way.
 *
 * <p>The kernel frees the namespaces asynchronously, so the views are read again until they are
 * clean, for at most {@link #CLEANUP_BOUND}: a bound for a leak that never goes away, far beyond
 * the time cleanup takes on a loaded machine. How fast it goes is for a benchmark to measure
 * (none does yet), not for a test to assert.
 */
class CrashSafetyTests {
  private static final Duration CLEANUP_BOUND = Duration.ofSeconds(30);
  /** The child starts a JVM, runs a test that starts another JVM, and waits up to 30 s for it to listen. */
  private static final Duration CHILD_READY_BOUND = Duration.ofMinutes(2);
  private static final int PORT = 8000;

  /** The suite the child JVM runs: it prints READY and then hangs until it is killed. */
  static class ServerTestCase {
    @NoNetwork static NetworkNamespace sidecar;

    @Test
    @BridgeNetwork
    void serveForever(NetworkNamespace ns, @LabHost NetworkNamespace lab) throws Exception {
      // a JVM of its own, like any server a test starts in its endpoint: this JVM's java, nothing else
      Process server = ns.start(new ProcessBuilder(JavaProcess.command(ListenMain.class, Integer.toString(PORT)))
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD));
      Process sleeper = sidecar.start(new ProcessBuilder("sleep", "600"));
      Await.until("the server (pid " + server.pid() + ") to listen on " + PORT + " in " + ns, () -> {
        if (!server.isAlive()) {
          throw new IllegalStateException("the server exited " + server.exitValue());
        }
        return ns.sockets().stream().anyMatch(s -> s.isListening() && s.localPort() == PORT);
      }, ns::snapshot);
      // faults in effect when the JVM dies: a frame relay (a veth pair + threads), netdev loss rules in the
      // lab, tbf qdiscs on both sides of the veth
      Faults.latency(ns, Duration.ofMillis(1));
      Faults.loss(ns, 1, Faults.Direction.BOTH);
      Faults.rateLimit(ns, 100_000_000, Faults.Direction.BOTH);
      String labVeths = lab.links().stream().map(l -> l.name()).filter(n -> n.startsWith("nsuv") || n.startsWith("nsut"))
          .collect(Collectors.joining(","));
      System.out.println("READY " + server.pid() + " " + sleeper.pid() + " " + ns.id().inode() + " "
          + sidecar.id().inode() + " " + lab.id().inode() + " " + labVeths);
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /** Child JVM entry point. */
  public static void main(String[] args) {
    EngineExecutionResults results = EngineTestKit.engine("junit-jupiter").selectors(selectClass(ServerTestCase.class))
        .execute();
    // reached only if the test failed before READY: say why, for the parent's message
    results.allEvents().executions().failed().stream()
        .forEach(e -> e.getTerminationInfo().getExecutionResult().getThrowable()
            .ifPresent(t -> t.printStackTrace(System.out)));
    System.out.println("FINISHED");
  }

  @Test
  void killMinus9MidTestLeavesNothingBehind(@TempDir Path temp) throws Exception {
    List<String> namedBefore = namedNamespaces();
    List<String> hostLinksBefore = hostLinks();

    // the child's output goes to a file, so waiting for READY never blocks on a read
    Path output = temp.resolve("child.out");
    Process child = new ProcessBuilder(JavaProcess.command(CrashSafetyTests.class)).redirectErrorStream(true)
        .redirectOutput(output.toFile()).start();
    List<ProcessHandle> spawned = new ArrayList<>();
    try {
      String ready = Await.until("the child JVM to print READY", CHILD_READY_BOUND, () -> {
        List<String> lines = linesOf(output);
        Optional<String> line = lines.stream().filter(l -> l.startsWith("READY ")).findFirst();
        if (line.isEmpty() && !child.isAlive()) {
          throw new AssertionError("the child JVM exited " + child.exitValue() + " before READY: " + lines);
        }
        return line.orElse(null);
      }, l -> l != null, l -> linesOf(output));
      String[] f = ready.split(" ", -1);
      long serverPid = Long.parseLong(f[1]);
      long sleeperPid = Long.parseLong(f[2]);
      List<Long> inodes = List.of(Long.parseLong(f[3]), Long.parseLong(f[4]), Long.parseLong(f[5]));
      List<String> labVeths = f.length > 6 ? Arrays.asList(f[6].split(",")) : List.of();

      // the views see the live state, so they could see a leak
      child.descendants().forEach(spawned::add);
      List<Long> descendants = spawned.stream().map(ProcessHandle::pid).collect(Collectors.toList());
      assertThat(descendants).contains(serverPid, sleeperPid);
      assertThat(commandOf(serverPid)).contains(ListenMain.class.getName());
      assertThat(holdersOf(inodes)).isNotEmpty();
      // the endpoint's veth, its relay's port, and the namespace pool's ready-made ports (the child
      // runs with the pool on, its default): all must go with the JVM
      assertThat(labVeths).as("the endpoint's veth, its relay's port and pooled ports on the bridge")
          .anyMatch(n -> n.startsWith("nsut")).hasSizeGreaterThanOrEqualTo(2);

      Shell.run("kill", "-KILL", Long.toString(child.pid()));
      child.waitFor();

      Await.until("nothing of the killed JVM to remain", CLEANUP_BOUND, () -> {
        List<String> problems = new ArrayList<>();
        for (long pid : descendants) {
          if (isRunning(pid)) {
            problems.add("process " + pid + " (" + commandOf(pid) + ") outlived the JVM");
          }
        }
        List<String> holders = holdersOf(inodes);
        if (!holders.isEmpty()) {
          problems.add("the dead JVM's namespaces " + inodes + " are still held by " + holders);
        }
        return problems;
      }, List::isEmpty);
      // nothing new (others on the machine, e.g. Docker, may remove theirs meanwhile)
      assertThat(namedNamespaces()).isSubsetOf(namedBefore);
      assertThat(hostLinks()).isSubsetOf(hostLinksBefore).noneMatch(labVeths::contains);
    } finally {
      child.destroyForcibly();
      spawned.forEach(ProcessHandle::destroyForcibly); // if the guarantee failed, don't leak on
    }
  }

  private static List<String> linesOf(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<String> namedNamespaces() {
    return Shell.run("ip", "netns", "list").lines().map(l -> l.split(" ", -1)[0]).sorted().collect(Collectors.toList());
  }

  static List<String> hostLinks() {
    return Shell.run("ip", "-o", "link", "show").lines().map(l -> l.split(": ", -1)[1].replaceAll("@.*", ""))
        .sorted().collect(Collectors.toList());
  }

  /** Running, not a zombie: a zombie has already released its namespaces. */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }

  static String commandOf(long pid) {
    try {
      return Files.readString(Path.of("/proc/" + pid + "/cmdline")).replace('\0', ' ').trim();
    } catch (IOException e) {
      return "gone";
    }
  }

  /** Every task and descriptor on the machine that refers to one of the namespaces. */
  static List<String> holdersOf(List<Long> inodes) {
    List<String> targets = inodes.stream().map(i -> "net:[" + i + "]").collect(Collectors.toList());
    List<String> holders = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : (Iterable<Path>) procs.filter(p -> p.getFileName().toString().matches("\\d+"))::iterator) {
        for (Path task : list(proc.resolve("task"))) {
          check(task.resolve("ns/net"), targets, holders);
        }
        for (Path fd : list(proc.resolve("fd"))) {
          check(fd, targets, holders);
        }
      }
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    return holders;
  }

  private static List<Path> list(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.collect(Collectors.toList());
    } catch (IOException e) {
      return List.of(); // the process ended meanwhile
    }
  }

  private static void check(Path link, List<String> targets, List<String> holders) {
    try {
      String target = Files.readSymbolicLink(link).toString();
      if (targets.contains(target)) {
        holders.add(link + " -> " + target);
      }
    } catch (IOException e) {
      // gone or not a link
    }
  }
}
