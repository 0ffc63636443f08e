package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.FileStatus;
import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import java.nio.file.Path;
import jnr.constants.platform.Errno;

/**
 * Opens a file that a caller says names a network namespace, and proves that it does before
 * anyone joins it. Without the checks, a FIFO blocks the open forever, and any other file fails
 * only at {@code setns} with an {@code EINVAL} that names neither the path nor the problem.
 *
 * <ol>
 *   <li>{@code open(path, O_PATH)}: opens nothing, so a FIFO does not wait for a writer and no
 *       device driver runs;
 *   <li>the handle's {@code statx}: a namespace file is a regular file on nsfs, the pseudo file
 *       system behind every {@code /proc/PID/ns/*} file and {@code /run/netns} bind mount;
 *   <li>only then a real open, of that same file through {@code /proc/self/fd}, non-blocking;
 *   <li>{@code ioctl(NS_GET_NSTYPE)}: the namespace is a network one (a kernel older than 4.11,
 *       which lacks the request, is left to {@code setns}).
 * </ol>
 */
final class NamespaceFile {
  static final String WHAT_TO_PASS = "pass /proc/PID/ns/net or /run/netns/NAME";

  private NamespaceFile() {}

  /**
   * Opens the network namespace file {@code path} read-only; the caller owns the descriptor.
   *
   * @throws NativeCallException if the kernel refuses to open it, e.g. {@code ENOENT}
   * @throws IllegalArgumentException if the file is not a network namespace, naming the path and
   *     what the file is instead
   */
  static int openNetwork(Path path) {
    String name = path.toString();
    int handle = Libc.open(name, Libc.O_PATH);
    try {
      FileStatus file = Libc.fileStatus(handle);
      if (!file.isRegularFile() || !file.onSameDeviceAs(Nsfs.DEVICE)) {
        throw new IllegalArgumentException(name + " is not a network namespace file: it is " + file.typeName()
            + "; " + WHAT_TO_PASS + ".");
      }
      int fd = Libc.open("/proc/self/fd/" + handle, Libc.O_RDONLY | Libc.O_NONBLOCK);
      try {
        requireNetwork(fd, name);
        return fd;
      } catch (RuntimeException e) {
        Libc.close(fd);
        throw e;
      }
    } finally {
      Libc.close(handle);
    }
  }

  private static void requireNetwork(int fd, String name) {
    int type;
    try {
      type = Libc.namespaceType(fd);
    } catch (NativeCallException e) {
      if (e.errno() == Errno.ENOTTY.intValue()) {
        return; // no NS_GET_NSTYPE before Linux 4.11: setns still refuses a wrong type, with EINVAL
      }
      throw e;
    }
    if (type != Libc.CLONE_NEWNET) {
      throw new IllegalArgumentException(name + " is " + kind(type) + ", not a network namespace; "
          + WHAT_TO_PASS + ".");
    }
  }

  /** A namespace type as a noun with its article: "a mount namespace". */
  static String kind(int type) {
    switch (type) {
      case Libc.CLONE_NEWNET: return "a network namespace";
      case Libc.CLONE_NEWNS: return "a mount namespace";
      case Libc.CLONE_NEWUTS: return "a UTS namespace";
      case Libc.CLONE_NEWIPC: return "an IPC namespace";
      case Libc.CLONE_NEWUSER: return "a user namespace";
      case Libc.CLONE_NEWPID: return "a PID namespace";
      case Libc.CLONE_NEWCGROUP: return "a cgroup namespace";
      case Libc.CLONE_NEWTIME: return "a time namespace";
      default: return "a namespace of unknown type 0x" + Integer.toHexString(type);
    }
  }

  /** nsfs has one instance: every namespace file shares the device of the JVM's own. */
  private static final class Nsfs {
    static final FileStatus DEVICE = Libc.fileStatus("/proc/self/ns/net");
  }
}
