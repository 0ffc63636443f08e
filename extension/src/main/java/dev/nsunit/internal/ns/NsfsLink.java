package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import java.nio.file.Path;

/**
 * Reads namespace links such as {@code /proc/self/task/TID/ns/net}, whose target names the
 * namespace as {@code net:[4026532000]}. The one parser of that form in nsunit.
 */
public final class NsfsLink {
  private NsfsLink() {}

  /** The inode in a link target such as {@code net:[4026532000]}. */
  public static long parseInode(String target) {
    int open = target.indexOf('[');
    if (open < 0 || !target.endsWith("]")) {
      throw new IllegalArgumentException("not an nsfs link target: " + target);
    }
    return Long.parseLong(target.substring(open + 1, target.length() - 1));
  }

  /** The inode the link at {@code link} names, or -1 if it is gone or unreadable. */
  public static long inodeOf(Path link) {
    try {
      return parseInode(Libc.readlink(link.toString()));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** The inode of the calling thread's network namespace. */
  public static long currentThreadInode() {
    return parseInode(Libc.readlink("/proc/thread-self/ns/net"));
  }

  /** The inode of the JVM's startup network namespace ({@code /proc/self/ns/net}). */
  public static long startupInode() {
    return parseInode(Libc.readlink("/proc/self/ns/net"));
  }
}
