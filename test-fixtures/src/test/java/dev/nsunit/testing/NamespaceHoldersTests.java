package dev.nsunit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The views see a holder while it holds and not after: a child process in a namespace of its own
 * ({@code unshare --net}, which execs its command in place), and a descriptor of this JVM opened
 * on that namespace.
 */
class NamespaceHoldersTests {

  @Test
  void seesTheProcessAndTheDescriptorThatHoldANamespaceOnlyWhileTheyHoldIt() throws Exception {
    String ours = link(Path.of("/proc/self/ns/net"));
    Process child = new ProcessBuilder("unshare", "--net", "sleep", "600").redirectErrorStream(true).start();
    long inode;
    try {
      Path childNs = Path.of("/proc/" + child.pid() + "/ns/net");
      String theirs = Await.until("the child's namespace of its own",
          () -> child.isAlive() ? link(childNs) : "exited", t -> !t.equals(ours));
      assumeTrue(child.isAlive(), () -> "unshare --net is not permitted here: " + output(child));
      inode = Long.parseLong(theirs.substring("net:[".length(), theirs.length() - 1));
      String held = "net:[" + inode + "]";

      // "(unshare)" or "(sleep)": unshare execs sleep in place, same pid
      assertThat(NamespaceHolders.processesOfThisJvmIn(inode)).singleElement().asString()
          .startsWith("pid " + child.pid() + " (");
      assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).noneMatch(fd -> fd.endsWith(held));
      try (FileInputStream fd = new FileInputStream(childNs.toFile())) {
        assertThat(fd.getFD().valid()).isTrue();
        assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).anyMatch(f -> f.endsWith(" -> " + held));
      }
      assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).noneMatch(fd -> fd.endsWith(held));
      assertThat(NamespaceHolders.threadsOfThisJvmIn(inode)).isEmpty();
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    assertThat(NamespaceHolders.processesOfThisJvmIn(inode)).isEmpty();
  }

  @Test
  void leavesOutTheStartupNamespaceAndSeesThisThreadInIt() throws Exception {
    String ours = link(Path.of("/proc/self/ns/net"));
    long inode = Long.parseLong(ours.substring("net:[".length(), ours.length() - 1));
    try (FileInputStream fd = new FileInputStream("/proc/self/ns/net")) {
      assertThat(fd.getFD().valid()).isTrue();
      assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).noneMatch(f -> f.endsWith(" -> " + ours));
    }
    assertThat(NamespaceHolders.threadsOfThisJvmIn(inode)).isNotEmpty();
  }

  private static String link(Path p) {
    try {
      return Files.readSymbolicLink(p).toString();
    } catch (IOException e) {
      return "unreadable";
    }
  }

  private static String output(Process p) {
    try {
      return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
