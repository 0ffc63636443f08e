package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.model.NamespaceId;
import java.nio.file.Path;

/**
 * The file descriptor that holds a network namespace, and the namespace's identity. Nothing is
 * bind-mounted: when the last holder (this fd, a socket, a thread, a process) goes away, the
 * kernel frees the namespace.
 */
final class NamespaceFd implements AutoCloseable {
  private final int fd;
  private final NamespaceId id;

  /**
   * Takes ownership of {@code fd}; {@code cookie} is read from a socket inside the namespace
   * (SO_NETNS_COOKIE), which the kernel never reuses, unlike inodes.
   */
  NamespaceFd(int fd, long cookie) {
    this.fd = fd;
    this.id = new NamespaceId(cookie, NsfsLink.inodeOf(Path.of("/proc/self/fd/" + fd)));
  }

  int fd() {
    return fd;
  }

  NamespaceId id() {
    return id;
  }

  /**
   * Whether this is the JVM's startup namespace. Comparing inodes is sound here, unlike across
   * time: both namespaces are alive while we compare (ours is held by our fd, the startup one by
   * the JVM's first thread), so no inode can have been reused.
   */
  boolean isStartupNamespace() {
    return id.inode() >= 0 && id.inode() == NsfsLink.startupInode();
  }

  @Override
  public void close() {
    Libc.close(fd);
  }
}
