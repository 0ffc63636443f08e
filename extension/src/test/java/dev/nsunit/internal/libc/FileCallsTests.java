package dev.nsunit.internal.libc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nsunit.testing.Shell;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * statx, the NS_GET_NSTYPE ioctl and getrlimit, each against an independent view of the same
 * thing: the JDK's own stat ({@code unix:*} attributes), the namespace links in /proc, and
 * /proc/self/limits. Every descriptor a test opens is closed in a finally block.
 */
class FileCallsTests {
  @TempDir Path dir;

  @Test
  void fileStatusAgreesWithTheJdksStatForEveryKindOfFile() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    Path fifo = dir.resolve("fifo");
    Shell.run("mkfifo", fifo.toString());
    Path socket = dir.resolve("sock");
    try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
      server.bind(UnixDomainSocketAddress.of(socket));
      Map<Path, String> kinds = Map.of(file, "a regular file", dir, "a directory", fifo, "a FIFO (named pipe)",
          Path.of("/dev/null"), "a character device", socket, "a socket");
      for (Map.Entry<Path, String> kind : kinds.entrySet()) {
        Path path = kind.getKey();
        int handle = Libc.open(path.toString(), Libc.O_PATH); // opens nothing: a FIFO does not wait
        FileStatus status;
        try {
          status = Libc.fileStatus(handle);
        } finally {
          Libc.close(handle);
        }
        assertThat(status.mode()).as(path.toString()).isEqualTo(Files.getAttribute(path, "unix:mode"));
        assertThat(status.inode()).as(path.toString()).isEqualTo(Files.getAttribute(path, "unix:ino"));
        assertThat(glibcDev(status)).as(path.toString()).isEqualTo(Files.getAttribute(path, "unix:dev"));
        assertThat(status.typeName()).isEqualTo(kind.getValue());
        assertThat(status.isRegularFile()).isEqualTo(path.equals(file));
        assertThat(Libc.fileStatus(path.toString())).isEqualTo(status);
      }
    }
  }

  /** {@code st_dev} as glibc encodes major and minor (gnu_dev_makedev), which is what the JDK reports. */
  private static long glibcDev(FileStatus s) {
    long major = Integer.toUnsignedLong(s.deviceMajor());
    long minor = Integer.toUnsignedLong(s.deviceMinor());
    return (major & 0xfffff000L) << 32 | (major & 0xfffL) << 8 | (minor & 0xffffff00L) << 12 | (minor & 0xffL);
  }

  @Test
  void aMissingPathIsEnoentNamingThePath() {
    String missing = dir.resolve("missing").toString();

    NativeCallException e = catchThrowableOfType(NativeCallException.class, () -> Libc.open(missing, Libc.O_PATH));

    assertThat(e).hasMessage("open(" + missing + ") failed: ENOENT (No such file or directory)");
  }

  @Test
  void everyNamespaceFileIsARegularFileOnOneNsfsDevice() throws IOException {
    FileStatus net = Libc.fileStatus("/proc/self/ns/net");
    try (Stream<Path> files = Files.list(Path.of("/proc/self/ns"))) {
      files.forEach(f -> {
        FileStatus s = Libc.fileStatus(f.toString());
        assertThat(s.isRegularFile()).as(f.toString()).isTrue();
        assertThat(s.onSameDeviceAs(net)).as(f.toString()).isTrue();
      });
    }
    assertThat(Libc.fileStatus("/etc/passwd").onSameDeviceAs(net)).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"net", "mnt", "uts", "ipc", "user", "pid", "cgroup", "time"})
  void nsGetNstypeNamesTheKindTheNamespaceLinkNames(String file) throws IOException {
    Path path = Path.of("/proc/self/ns", file);
    assumeTrue(Files.exists(path), "this kernel has " + file + " namespaces");
    String kind = Files.readSymbolicLink(path).toString().replaceFirst(":\\[.*", ""); // e.g. mnt:[4026531841]
    int expected = Map.of("net", Libc.CLONE_NEWNET, "mnt", Libc.CLONE_NEWNS, "uts", Libc.CLONE_NEWUTS,
        "ipc", Libc.CLONE_NEWIPC, "user", Libc.CLONE_NEWUSER, "pid", Libc.CLONE_NEWPID,
        "cgroup", Libc.CLONE_NEWCGROUP, "time", Libc.CLONE_NEWTIME).get(kind);
    int fd = Libc.openReadOnly(path.toString());
    try {
      assertThat(Libc.namespaceType(fd)).isEqualTo(expected);
    } finally {
      Libc.close(fd);
    }
  }

  @Test
  void nsGetNstypeOnAFileThatIsNoNamespaceIsEnotty() throws IOException {
    Path file = Files.writeString(dir.resolve("file"), "x");
    int fd = Libc.openReadOnly(file.toString());
    NativeCallException e;
    try {
      e = catchThrowableOfType(NativeCallException.class, () -> Libc.namespaceType(fd));
    } finally {
      Libc.close(fd);
    }

    assertThat(e).hasMessage("ioctl(fd " + fd + ", NS_GET_NSTYPE) failed: ENOTTY (Inappropriate ioctl for device)");
  }

  @Test
  void openFileLimitIsWhatProcSelfLimitsSays() throws IOException {
    String line = Files.readAllLines(Path.of("/proc/self/limits")).stream()
        .filter(l -> l.startsWith("Max open files")).findFirst().orElseThrow();
    String[] values = line.substring("Max open files".length()).trim().split("\\s+", -1);

    ResourceLimit limit = Libc.openFileLimit();

    assertThat(ResourceLimit.format(limit.soft())).isEqualTo(values[0]);
    assertThat(ResourceLimit.format(limit.hard())).isEqualTo(values[1]);
  }

  @Test
  void aSoftLimitBelowTheHardOneCanBeRaisedByTheProcessItself() {
    assertThat(new ResourceLimit(256, 1024).softBelowHard()).isTrue();
    assertThat(new ResourceLimit(256, ResourceLimit.INFINITY).softBelowHard()).isTrue();
    assertThat(new ResourceLimit(1024, 1024).softBelowHard()).isFalse();
    assertThat(new ResourceLimit(ResourceLimit.INFINITY, ResourceLimit.INFINITY).softBelowHard()).isFalse();
    assertThat(ResourceLimit.format(ResourceLimit.INFINITY)).isEqualTo("unlimited");
  }
}
