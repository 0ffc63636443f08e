package dev.nsunit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Capability probe: can this JVM create network namespaces? Creating one needs CAP_SYS_ADMIN;
 * configuring interfaces needs CAP_NET_ADMIN. Both are read from {@code CapEff} in
 * {@code /proc/self/status}, which is relative to the JVM's user namespace: a JVM started by the
 * rootless launcher (published as {@code dev.nsunit:nsunit-rootless}) is uid 0 with every
 * capability there, and counts.
 *
 * <p>When they are missing, the message names the POM block that runs the tests through the
 * launcher (README, "Rootless") by its key element, Surefire's {@code <jvm>}, and if the kernel
 * would refuse the launcher too (unprivileged user namespaces off by sysctl, or restricted by
 * AppArmor as on Ubuntu 24.04) it names that setting and how to change it.
 */
final class Privileges {
  private static final int CAP_NET_ADMIN = 12;
  private static final int CAP_SYS_ADMIN = 21;
  private static final Path PROC = Path.of("/proc");
  /** What a user's POM needs to run its tests rootless; README "Rootless" has the whole block. */
  static final String ROOTLESS_ADVICE = "add the rootless block from README \"Rootless\" to your pom.xml"
      + " (it unpacks dev.nsunit:nsunit-rootless and sets Surefire's"
      + " <jvm>${project.build.directory}/nsunit-rootless/bin/java</jvm>) and run mvn -Prootless test";

  private Privileges() {}

  /** A description of what is missing and how to get it, or empty when all is well. */
  static Optional<String> missing() {
    return missing(PROC);
  }

  /** {@link #missing()} reading {@code self/status} and {@code sys/...} under {@code proc}. */
  static Optional<String> missing(Path proc) {
    long caps = effectiveCapabilities(proc);
    boolean sysAdmin = (caps & (1L << CAP_SYS_ADMIN)) != 0;
    boolean netAdmin = (caps & (1L << CAP_NET_ADMIN)) != 0;
    if (sysAdmin && netAdmin) {
      return Optional.empty();
    }
    String lacking = !sysAdmin && !netAdmin ? "CAP_SYS_ADMIN and CAP_NET_ADMIN"
        : !sysAdmin ? "CAP_SYS_ADMIN" : "CAP_NET_ADMIN";
    List<String> obstacles = userNamespaceObstacles(proc);
    String launcherHint = obstacles.isEmpty() ? ""
        : " The launcher cannot work on this machine yet: " + String.join("; ", obstacles) + ".";
    return Optional.of("nsunit needs CAP_SYS_ADMIN and CAP_NET_ADMIN to create network namespaces, but this JVM"
        + " (uid " + uid(proc) + ") lacks " + lacking + ". Run the tests as root, or without root through nsunit's"
        + " rootless launcher: " + ROOTLESS_ADVICE + "."
        + launcherHint
        + " To skip such tests instead of failing them, set " + NsunitProperties.MISSING_PRIVILEGES
        + "=abort.");
  }

  /**
   * Kernel settings that stop an unprivileged user from creating a user namespace (and so the
   * rootless launcher), each with its fix; empty when none is set.
   */
  static List<String> userNamespaceObstacles(Path proc) {
    List<String> obstacles = new ArrayList<>();
    // Debian/Ubuntu's own switch, absent on kernels without their patch.
    if ("0".equals(read(proc.resolve("sys/kernel/unprivileged_userns_clone")))) {
      obstacles.add("unprivileged user namespaces are off (sysctl kernel.unprivileged_userns_clone = 0);"
          + " turn them on, as root, with: sysctl -w kernel.unprivileged_userns_clone=1");
    }
    if ("0".equals(read(proc.resolve("sys/user/max_user_namespaces")))) {
      obstacles.add("user namespaces are limited to none (sysctl user.max_user_namespaces = 0);"
          + " allow them, as root, with: sysctl -w user.max_user_namespaces=15000");
    }
    // Ubuntu 24.04 and later: unprivileged user namespaces get no capabilities unless an
    // AppArmor profile grants "userns".
    if ("1".equals(read(proc.resolve("sys/kernel/apparmor_restrict_unprivileged_userns")))) {
      obstacles.add("AppArmor restricts unprivileged user namespaces (Ubuntu 24.04 and later,"
          + " sysctl kernel.apparmor_restrict_unprivileged_userns = 1); lift it, as root, with:"
          + " sysctl -w kernel.apparmor_restrict_unprivileged_userns=0,"
          + " or load an AppArmor profile that allows userns for the launcher");
    }
    return obstacles;
  }

  static long effectiveCapabilities(Path proc) {
    try {
      for (String line : Files.readAllLines(proc.resolve("self/status"))) {
        if (line.startsWith("CapEff:")) {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static String uid(Path proc) {
    try {
      for (String line : Files.readAllLines(proc.resolve("self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.substring(4).trim().split("\\s+", -1)[1];
        }
      }
    } catch (IOException | RuntimeException e) {
      // fall through
    }
    return "?";
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).trim();
    } catch (IOException e) {
      return null; // absent on this kernel: the setting does not apply
    }
  }
}
