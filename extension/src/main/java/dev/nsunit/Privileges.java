package dev.nsunit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Capability probe: can this JVM create network namespaces? Creating one needs CAP_SYS_ADMIN;
 * configuring interfaces needs CAP_NET_ADMIN. Both are read from {@code CapEff} in
 * {@code /proc/self/status}, which is relative to the JVM's user namespace (so the rootless
 * launcher counts).
 */
final class Privileges {
  private static final int CAP_NET_ADMIN = 12;
  private static final int CAP_SYS_ADMIN = 21;

  private Privileges() {}

  /** A description of what is missing and how to get it, or empty when all is well. */
  static Optional<String> missing() {
    long caps = effectiveCapabilities();
    boolean sysAdmin = (caps & (1L << CAP_SYS_ADMIN)) != 0;
    boolean netAdmin = (caps & (1L << CAP_NET_ADMIN)) != 0;
    if (sysAdmin && netAdmin) {
      return Optional.empty();
    }
    String lacking = !sysAdmin && !netAdmin ? "CAP_SYS_ADMIN and CAP_NET_ADMIN"
        : !sysAdmin ? "CAP_SYS_ADMIN" : "CAP_NET_ADMIN";
    return Optional.of("nsunit needs CAP_SYS_ADMIN and CAP_NET_ADMIN to create network namespaces, but this JVM"
        + " (uid " + uid() + ") lacks " + lacking + ". Run the tests as root (e.g. sudo mvn test), or start the test JVM"
        + " inside a user namespace with the rootless launcher ci/nsunit-rootless (see README, \"Rootless\")."
        + " To skip such tests instead of failing them, set " + NsunitProperties.MISSING_PRIVILEGES
        + "=abort.");
  }

  static long effectiveCapabilities() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static String uid() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.substring(4).trim().split("\\s+")[1];
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "?";
  }
}
