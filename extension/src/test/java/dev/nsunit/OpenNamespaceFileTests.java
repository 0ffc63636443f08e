package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nsunit.testing.Shell;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link NetworkNamespace#open(Path)} proves a file is a network namespace before joining it, and
 * never waits on it: anything else fails at once with an {@link IllegalArgumentException} that
 * names the path and what the file is. A path the kernel cannot open stays a
 * {@link KernelException} with its errno. No descriptor outlives a refusal.
 */
class OpenNamespaceFileTests {
  private static final String PASS = "; pass /proc/PID/ns/net or /run/netns/NAME.";

  @TempDir Path dir;

  @Test
  void aRegularFileIsRefusedByWhatItIs() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-namespace"), "x");

    assertRefused(file, file + " is not a network namespace file: it is a regular file" + PASS);
  }

  @Test
  void etcPasswdIsRefusedByWhatItIs() throws IOException {
    assertRefused(Path.of("/etc/passwd"), "/etc/passwd is not a network namespace file: it is a regular file" + PASS);
  }

  @Test
  void aDirectoryIsRefusedByWhatItIs() throws IOException {
    assertRefused(dir, dir + " is not a network namespace file: it is a directory" + PASS);
  }

  @Test
  void devNullIsRefusedWithoutBeingOpened() throws IOException {
    assertRefused(Path.of("/dev/null"), "/dev/null is not a network namespace file: it is a character device" + PASS);
  }

  @Test
  void aUnixSocketIsRefusedByWhatItIs() throws IOException {
    Path socket = dir.resolve("sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));

      assertRefused(socket, socket + " is not a network namespace file: it is a socket" + PASS);
    }
  }

  @Test
  void aFifoIsRefusedAtOnceInsteadOfWaitingForAWriter() throws Exception {
    Path fifo = dir.resolve("fifo");
    Shell.run("mkfifo", fifo.toString());
    List<String> before = descriptorsOf(fifo.toString());
    // A hang guard, not a timing assertion: a blocking open() waits for a writer forever.
    FutureTask<Throwable> open = new FutureTask<>(() -> catchThrowable(() -> NetworkNamespace.open(fifo)));
    Thread opener = new Thread(open, "fifo-opener");
    opener.start();
    Throwable thrown;
    try {
      thrown = open.get(60, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      try (OutputStream writer = Files.newOutputStream(fifo)) { // the writer that releases the stuck open()
        writer.flush();
      }
      opener.join();
      throw new AssertionError("NetworkNamespace.open(" + fifo + ") blocked in open() until a writer came", e);
    } finally {
      opener.join();
    }

    assertThat(thrown).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(fifo + " is not a network namespace file: it is a FIFO (named pipe)" + PASS);
    assertThat(descriptorsOf(fifo.toString())).isEqualTo(before);
  }

  @ParameterizedTest(name = "/proc/self/ns/{0}")
  @CsvSource({
      "mnt, a mount namespace",
      "uts, a UTS namespace",
      "ipc, an IPC namespace",
      "user, a user namespace",
      "pid, a PID namespace",
      "cgroup, a cgroup namespace",
      "time, a time namespace",
  })
  void anotherKindOfNamespaceIsRefusedByItsKind(String file, String kind) throws IOException {
    Path path = Path.of("/proc/self/ns", file);
    assumeTrue(Files.exists(path), path + " exists on this kernel");
    String target = Files.readSymbolicLink(path).toString(); // e.g. mnt:[4026531841]

    assertRefused(path, path + " is " + kind + ", not a network namespace" + PASS, target);
  }

  @Test
  void aMissingPathIsTheKernelsENOENT() {
    Path missing = dir.resolve("no-such-namespace");

    assertThatThrownBy(() -> NetworkNamespace.open(missing)).isExactlyInstanceOf(KernelException.class)
        .hasMessage("open(" + missing + ") failed: ENOENT (No such file or directory)")
        .asInstanceOf(type(KernelException.class)).extracting(KernelException::errnoName).isEqualTo("ENOENT");
  }

  @Test
  void aNetworkNamespaceFileStillOpensByEveryPathThatNamesIt() throws Exception {
    try (NetworkNamespace created = NetworkNamespace.create("target")) {
      // the creator's descriptor (/proc/PID/fd/N), the JVM's own namespace, and a symbolic link to one
      Path link = Files.createSymbolicLink(dir.resolve("link"), Path.of("/proc/self/ns/net"));
      for (Path path : List.of(created.path(), Path.of("/proc/self/ns/net"), Path.of("/proc/thread-self/ns/net"), link)) {
        try (NetworkNamespace opened = NetworkNamespace.open(path)) {
          assertThat(opened.links()).as(path.toString()).isNotEmpty();
        }
      }
      try (NetworkNamespace opened = NetworkNamespace.open(created.path())) {
        assertThat(opened.id()).isEqualTo(created.id());
      }
    }
  }

  private static void assertRefused(Path path, String message) throws IOException {
    assertRefused(path, message, path.toRealPath().toString());
  }

  /** Refused with exactly {@code message}, leaving no descriptor whose target is {@code target}. */
  private static void assertRefused(Path path, String message, String target) {
    List<String> before = descriptorsOf(target);
    assertThatThrownBy(() -> NetworkNamespace.open(path)).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    assertThatThrownBy(() -> NetworkNamespace.open(path, "named")).isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
    assertThat(descriptorsOf(target)).isEqualTo(before);
  }

  /** This process's descriptors that point at {@code target} (a real path, or an nsfs name like mnt:[...]). */
  private static List<String> descriptorsOf(String target) {
    List<String> out = new ArrayList<>();
    for (String fd : new File("/proc/self/fd").list()) {
      try {
        if (Files.readSymbolicLink(Path.of("/proc/self/fd", fd)).toString().equals(target)) {
          out.add(fd);
        }
      } catch (IOException e) {
        // closed meanwhile (the listing's own descriptor): not ours to count
      }
    }
    return out;
  }

  private static Throwable catchThrowable(ThrowingCallable call) {
    try {
      call.call();
      return null;
    } catch (Throwable t) {
      return t;
    }
  }
}
