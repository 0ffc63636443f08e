package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.testing.JavaProcess;
import dev.nsunit.testing.NamespaceHolders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A process started in a namespace leaves no thread of the JVM there. The JDK waits for each
 * child on a "process reaper" thread that the forking thread creates when no idle one exists,
 * and a new thread is born in its creator's namespace: forked from inside, the reaper would sit
 * in the namespace and keep it (and a bridge endpoint's veth and address) alive for a minute
 * after its process ended. Checked in a fresh JVM, where no reaper exists before the start.
 */
class ProcessReaperTests {

  /** The child: starts a process in a new namespace and prints what is inside it. */
  public static void main(String[] args) throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("reaper")) {
      long inode = ns.id().inode();
      Process p = ns.start(new ProcessBuilder("sleep", "600"));
      System.out.println("PROCESS NS " + Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/net")));
      System.out.println("NAMESPACE net:[" + inode + "]");
      System.out.println("THREADS INSIDE " + NamespaceHolders.threadsOfThisJvmIn(inode));
    }
  }

  @Test
  void aProcessStartedInANamespaceLeavesNoThreadOfTheJvmThere(@TempDir Path temp) throws Exception {
    Path out = temp.resolve("child.out");
    Process child = new ProcessBuilder(JavaProcess.command(ProcessReaperTests.class)).redirectErrorStream(true)
        .redirectOutput(out.toFile()).start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("the child JVM ends").isTrue();
    List<String> lines = Files.readAllLines(out);
    assertThat(child.exitValue()).as("exit code; output: %s", lines).isZero();
    String namespace = value(lines, "NAMESPACE ");
    assertThat(value(lines, "PROCESS NS ")).as("the process runs in the namespace").isEqualTo(namespace);
    assertThat(value(lines, "THREADS INSIDE ")).as("the JVM's threads in the namespace, with its process running")
        .isEqualTo("[]");
  }

  private static String value(List<String> lines, String prefix) {
    return lines.stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length())).findFirst()
        .orElseThrow(() -> new AssertionError("no line " + prefix + " in " + lines));
  }
}
