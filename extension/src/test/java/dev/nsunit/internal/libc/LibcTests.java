package dev.nsunit.internal.libc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The checked wrappers on calls that need no privilege. Every descriptor a test opens is closed
 * in a finally block, and leaks are checked by what the process's descriptors point to (not by
 * counting them, which other JVM threads may change).
 */
class LibcTests {
  private static final int CLONE_NEWUTS = 0x04000000;

  @TempDir
  Path dir;

  /** The descriptors of this process that currently refer to {@code file}. */
  private static List<Path> descriptorsOf(Path file) throws IOException {
    Path target = file.toRealPath();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).equals(target);
        } catch (NoSuchFileException closedMeanwhile) {
          return false; // e.g. the directory stream's own descriptor
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }).toList();
    }
  }

  @Test
  void openOfAMissingPathNamesErrnoCallAndPath() {
    String missing = dir.resolve("no-such-namespace").toString();

    NativeCallException e = catchThrowableOfType(NativeCallException.class, () -> Libc.openReadOnly(missing));

    assertThat(e.errnoName()).isEqualTo("ENOENT");
    assertThat(e.errno()).isEqualTo(2);
    assertThat(e.syscall()).isEqualTo("open");
    assertThat(e.argument()).isEqualTo(missing);
    assertThat(e).hasMessage("open(" + missing + ") failed: ENOENT (No such file or directory)");
  }

  @Test
  void openAndCloseLeaveNoDescriptorBehind() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");

    int fd = Libc.openReadOnly(file.toString());
    try {
      assertThat(fd).isNotNegative();
      assertThat(descriptorsOf(file)).containsExactly(Path.of("/proc/self/fd/" + fd));
    } finally {
      Libc.close(fd);
    }

    assertThat(descriptorsOf(file)).isEmpty();
  }

  @Test
  void closeOfAnInvalidDescriptorIsEbadf() {
    NativeCallException e = catchThrowableOfType(NativeCallException.class, () -> Libc.close(-1));

    assertThat(e.errnoName()).isEqualTo("EBADF");
    assertThat(e.syscall()).isEqualTo("close");
    assertThat(e.argument()).isEqualTo("fd -1");
    assertThat(e).hasMessage("close(fd -1) failed: EBADF (Bad file descriptor)");
  }

  @Test
  void setnsOnADescriptorThatIsNoNamespaceIsEinval() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-namespace"), "x");
    int fd = Libc.openReadOnly(file.toString());
    NativeCallException e;
    try {
      e = catchThrowableOfType(NativeCallException.class, () -> Libc.setns(fd, Libc.CLONE_NEWNET));
    } finally {
      Libc.close(fd);
    }

    assertThat(e.errnoName()).isEqualTo("EINVAL");
    assertThat(e.syscall()).isEqualTo("setns");
    assertThat(e.argument()).isEqualTo("fd " + fd + ", CLONE_NEWNET");
    assertThat(e).hasMessage("setns(fd " + fd + ", CLONE_NEWNET) failed: EINVAL (Invalid argument)");
    assertThat(descriptorsOf(file)).isEmpty();
  }

  @Test
  void setnsWithTheWrongNamespaceTypeIsEinvalAndChangesNothing() throws IOException {
    // Our own network namespace, announced as a UTS namespace: the kernel refuses before joining.
    Path ownNamespace = Path.of("/proc/thread-self/ns/net");
    String before = Files.readSymbolicLink(ownNamespace).toString();
    int fd = Libc.openReadOnly(ownNamespace.toString());
    NativeCallException e;
    try {
      e = catchThrowableOfType(NativeCallException.class, () -> Libc.setns(fd, CLONE_NEWUTS));
    } finally {
      Libc.close(fd);
    }

    assertThat(e.errnoName()).isEqualTo("EINVAL");
    assertThat(e.argument()).isEqualTo("fd " + fd + ", CLONE_NEWUTS");
    assertThat(Files.readSymbolicLink(ownNamespace).toString()).isEqualTo(before);
  }

  @Test
  void gettidIsTheKernelThreadIdOfTheCallingThread() throws Exception {
    int here = Libc.gettid();

    assertThat(here).isPositive().isEqualTo(threadSelfTid());
    int elsewhere = CompletableFuture.supplyAsync(() -> {
      assertThat(Libc.gettid()).isEqualTo(threadSelfTid());
      return Libc.gettid();
    }, r -> new Thread(r, "gettid-probe").start()).get();
    assertThat(elsewhere).isPositive().isNotEqualTo(here);
  }

  /** The tid in /proc/thread-self, which links to {@code <pid>/task/<tid>}. */
  private static int threadSelfTid() {
    try {
      return Integer.parseInt(Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void unknownErrnoStillGetsAName() {
    assertThat(NativeCallException.errnoName(9999)).isEqualTo("errno 9999");
    assertThat(new NativeCallException(9999, "ioctl", "fd 3")).hasMessage("ioctl(fd 3) failed: errno 9999 (unknown error)");
  }
}
