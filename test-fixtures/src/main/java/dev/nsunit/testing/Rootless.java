package dev.nsunit.testing;

import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells whether this test JVM runs rootless: inside a user namespace of its own, as started by
 * {@code ci/nsunit-rootless}, rather than as real root in the machine's initial user namespace.
 */
public final class Rootless {
  private Rootless() {}

  /**
   * True when this JVM's user namespace is not the initial one. The initial namespace maps every
   * uid to itself ({@code 0 0 4294967295}); a launched JVM maps uid 0 to its caller's uid.
   */
  public static boolean active() {
    try {
      String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
      return !map.matches("0\\s+0\\s+4294967295");
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/uid_map", e);
    }
  }

  /** Skips the calling test, with the reason, unless this JVM is real root. */
  public static void assumeRealRoot(String why) {
    assumeFalse(active(), () -> "needs real root, not the rootless launcher: " + why);
  }
}
