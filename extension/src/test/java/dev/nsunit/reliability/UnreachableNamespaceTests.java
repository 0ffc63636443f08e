package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.ns.Netns;
import dev.nsunit.testing.Await;
import dev.nsunit.testing.JavaProcess;
import dev.nsunit.testing.NamespaceHolders;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A namespace that nobody closes because nobody holds it any more (its creator was abandoned)
 * has its descriptors closed once it is unreachable, by a cleaner thread that itself stays in
 * the JVM's startup namespace.
 */
class UnreachableNamespaceTests {
  private static final long HANG_GUARD_SECONDS = 60;

  @Test
  void namespacesDroppedWithoutCloseHaveTheirDescriptorsClosed() throws Exception {
    Set<String> before = NamespaceHolders.namespaceFdsOfThisJvm();
    List<Long> inodes = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      NetworkNamespace dropped = NetworkNamespace.create("dropped");
      dropped.sockets(); // its sock_diag socket too
      inodes.add(dropped.id().inode());
    }
    assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).hasSize(before.size() + 20);
    Await.until("no descriptor left of 20 namespaces nobody holds, GC asked for", () -> {
      System.gc();
      return leftSince(before);
    }, List::isEmpty);
    for (long inode : inodes) {
      assertThat(NamespaceHolders.threadsOfThisJvmIn(inode)).isEmpty();
    }
  }

  private static List<String> leftSince(Set<String> before) {
    List<String> left = new ArrayList<>(NamespaceHolders.namespaceFdsOfThisJvm());
    left.removeAll(before);
    return left;
  }

  /**
   * Child JVM: the first use of {@link Netns}, which starts the cleaner thread, happens on a
   * thread that has unshared into a namespace of its own. Prints the namespace inodes of the
   * cleaner thread, of the JVM's startup namespace and of that thread.
   */
  public static void main(String[] args) throws Exception {
    AtomicReference<String> inner = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread first = new Thread(() -> {
      try {
        Libc.unshare(Libc.CLONE_NEWNET);
        inner.set(Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString());
        Netns.create("first").close(); // initializes Netns on this thread, inside its own namespace
      } catch (Throwable t) {
        failure.set(t);
      }
    });
    first.start();
    first.join();
    if (failure.get() != null) {
      failure.get().printStackTrace();
      System.exit(2);
    }
    String cleaner = "none";
    for (File task : new File("/proc/self/task").listFiles()) {
      try {
        if (Files.readString(task.toPath().resolve("comm")).trim().equals("nsunit-cleaner")) {
          cleaner = Files.readSymbolicLink(task.toPath().resolve("ns/net")).toString();
        }
      } catch (NoSuchFileException e) {
        // a thread that ended meanwhile (the namespace maker, idle)
      }
    }
    System.out.println("CLEANER " + cleaner + " STARTUP " + Files.readSymbolicLink(Path.of("/proc/self/ns/net"))
        + " FIRST " + inner.get());
  }

  @Test
  void theCleanerThreadLivesInTheStartupNamespaceWhicheverThreadStartedIt() throws Exception {
    Process child = new ProcessBuilder(JavaProcess.command(UnreachableNamespaceTests.class))
        .redirectErrorStream(true).start();
    String out;
    try {
      out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(child.waitFor(HANG_GUARD_SECONDS, TimeUnit.SECONDS)).as("child JVM exited").isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).as(out).isZero();
    String line = out.lines().filter(l -> l.startsWith("CLEANER ")).findFirst().orElseThrow(() -> new AssertionError(out));
    String[] f = line.split(" ", -1);
    assertThat(f[1]).as("the cleaner thread's namespace; the first user's was %s", f[5])
        .startsWith("net:[").isEqualTo(f[3]).isNotEqualTo(f[5]);
  }
}
