package dev.nsunit.internal.ns;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The shared namespace-maker thread behind {@link Netns#create}; needs root. */
class NamespaceThreadsTests {

  @Test
  void creatingFromANamespacedThreadMakesAFreshNamespaceAndLeavesBothThreadsWhereTheyWere() throws Exception {
    long callerBefore = Netns.currentThreadNamespaceInode();
    try (Netns outer = Netns.create("outer")) {
      long[] seen = outer.call(() -> {
        long here = Netns.currentThreadNamespaceInode();
        try (Netns inner = Netns.create("inner")) {
          return new long[] {here, inner.id().inode(), Netns.currentThreadNamespaceInode()};
        }
      });
      assertThat(seen[0]).isEqualTo(outer.id().inode());
      assertThat(seen[1]).isNotEqualTo(outer.id().inode()).isNotEqualTo(callerBefore);
      assertThat(seen[2]).isEqualTo(outer.id().inode());
    }
    assertThat(Netns.currentThreadNamespaceInode()).isEqualTo(callerBefore);
  }

  @Test
  void noThreadOfTheJvmStaysInAClosedNamespace() throws Exception {
    long inode;
    try (Netns ns = Netns.create("probe")) {
      ns.sockDiag(); // also goes through the maker (setns into ns, then back)
      inode = ns.id().inode();
    }
    // the maker has returned to the startup namespace: no task of this process is in `inode`
    assertThat(threadNamespaceInodes()).doesNotContain(inode);
    long startup = inodeOf(Path.of("/proc/self/ns/net"));
    for (String comm : List.of("nsunit-maker")) {
      for (long[] t : threadsNamed(comm)) {
        assertThat(t[1]).as("namespace of idle maker thread %d", t[0]).isEqualTo(startup);
      }
    }
  }

  private static List<Long> threadNamespaceInodes() throws Exception {
    List<Long> out = new ArrayList<>();
    for (File task : new File("/proc/self/task").listFiles()) {
      try {
        out.add(inodeOf(task.toPath().resolve("ns/net")));
      } catch (NoSuchFileException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  /** {tid, netns inode} of every task whose comm starts with {@code prefix}. */
  private static List<long[]> threadsNamed(String prefix) throws Exception {
    List<long[]> out = new ArrayList<>();
    for (File task : new File("/proc/self/task").listFiles()) {
      try {
        String comm = Files.readString(task.toPath().resolve("comm")).trim();
        if (comm.startsWith(prefix)) {
          out.add(new long[] {Long.parseLong(task.getName()), inodeOf(task.toPath().resolve("ns/net"))});
        }
      } catch (NoSuchFileException e) {
        // the thread ended meanwhile
      }
    }
    return out;
  }

  private static long inodeOf(Path nsLink) throws Exception {
    String t = Files.readSymbolicLink(nsLink).toString();
    return Long.parseLong(t.substring(t.indexOf('[') + 1, t.length() - 1));
  }
}
