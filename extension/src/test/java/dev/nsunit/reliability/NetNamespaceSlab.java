package dev.nsunit.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code /sys/kernel/slab/net_namespace/objects}: live and dying namespaces of the whole
 * machine, approximately. Only meaningful when nothing else on the machine is churning
 * namespaces, which {@link #quiet()} checks (on a shared developer machine a benchmark may add
 * and drop hundreds a second; on CI the suite runs alone).
 */
final class NetNamespaceSlab {
  private NetNamespaceSlab() {}

  private static final Path OBJECTS = Path.of("/sys/kernel/slab/net_namespace/objects");

  /** The count, or -1 where the file is unreadable (it is root-only: rootless runs lack it). */
  static long objects() {
    try {
      return Long.parseLong(Files.readString(OBJECTS).trim().split(" ", -1)[0]);
    } catch (IOException e) {
      return -1;
    }
  }

  /** Whether the file is readable and five readings 100 ms apart stay within 2 of each other. */
  static boolean quiet() throws InterruptedException {
    if (objects() < 0) {
      System.err.println(OBJECTS + " is not readable here (rootless?): the slab view is skipped");
      return false;
    }
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (int i = 0; i < 5; i++) {
      long v = objects();
      min = Math.min(min, v);
      max = Math.max(max, v);
      Thread.sleep(100);
    }
    if (max - min > 2) {
      System.err.println("net_namespace objects moved between " + min + " and " + max
          + " without us: another process is churning namespaces, so the slab view is skipped");
      return false;
    }
    return true;
  }
}
