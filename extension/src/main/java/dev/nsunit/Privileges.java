package dev.nsunit;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.internal.libc.ResourceLimit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jnr.constants.platform.Errno;

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

  /**
   * A description of what is missing and how to get it, or empty when all is well.
   *
   * @throws KernelException if the capabilities cannot be read at all, e.g. with {@code EMFILE}
   *     when the JVM has no free descriptor: a failure whatever the missing-privileges policy
   *     says, since skipping would hide it
   */
  static Optional<String> missing() {
    if (sufficient) {
      return Optional.empty();
    }
    Optional<String> missing = missing(PROC);
    sufficient = missing.isEmpty();
    return missing;
  }

  /**
   * Whether {@link #missing()} has found both capabilities: then it does not read the status file
   * again before every test (a JVM does not gain and lose them between tests). A lack, or a
   * failure to read, is checked again each time.
   */
  private static volatile boolean sufficient;

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

  /**
   * {@code CapEff} of {@code proc/self/status}. A file that cannot be read is not "no
   * capabilities": that would blame privileges for, say, a JVM out of descriptors.
   *
   * @throws KernelException naming the errno when the file cannot be read
   */
  static long effectiveCapabilities(Path proc) {
    Path status = proc.resolve("self/status");
    List<String> lines;
    try {
      lines = Files.readAllLines(status);
    } catch (IOException e) {
      throw unreadable(status, e);
    }
    for (String line : lines) {
      if (line.startsWith("CapEff:")) {
        try {
          return Long.parseUnsignedLong(line.substring(7).trim(), 16);
        } catch (NumberFormatException e) {
          return 0;
        }
      }
    }
    return 0;
  }

  /**
   * Why {@code status} could not be read. An IOException carries no errno, so the kernel is
   * asked again through open(2), which needs nothing but the descriptor that may be missing.
   */
  private static RuntimeException unreadable(Path status, IOException e) {
    String prefix = "nsunit cannot check whether this JVM may create network namespaces: ";
    try {
      Libc.close(Libc.openReadOnly(status.toString()));
    } catch (NativeCallException n) {
      String advice = n.errno() == Errno.EMFILE.intValue() ? descriptorAdvice(Libc.openFileLimit())
          : " It reads the JVM's capabilities (CapEff) from that file; make sure /proc is mounted and readable.";
      KernelException k = new KernelException(prefix + n.getMessage() + "." + advice, n.errno(), n.errnoName(), null, n);
      k.addSuppressed(e);
      return k;
    }
    return new UncheckedIOException(prefix + "reading " + status + " failed: " + e.getMessage(), e);
  }

  /** What to do when the JVM has no free descriptor, with its limit. */
  private static String descriptorAdvice(ResourceLimit limit) {
    String raise = limit.softBelowHard()
        ? "Raise the soft limit up to the hard one with ulimit -n " + ResourceLimit.format(limit.hard())
            + " in the shell or CI step that runs Maven."
        : "The JVM already runs at its hard limit (HotSpot raises the soft limit to it at startup), so raise the"
            + " hard limit of the shell or CI job that runs Maven: as root, ulimit -Hn N and ulimit -n N; in a"
            + " systemd unit, LimitNOFILE=N; in a container, docker run --ulimit nofile=N:N.";
    return " The JVM has no free file descriptor (RLIMIT_NOFILE: soft limit " + ResourceLimit.format(limit.soft())
        + ", hard limit " + ResourceLimit.format(limit.hard()) + "); this is not a missing privilege. Look for"
        + " descriptors the tests leak (sockets, streams, processes or namespaces never closed), or raise the limit. "
        + raise + " Surefire's argLine cannot raise it: it only passes JVM options, and the forked JVM inherits"
        + " the limit of the process that starts it.";
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
