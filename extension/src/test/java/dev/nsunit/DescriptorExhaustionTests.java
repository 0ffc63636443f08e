package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.testing.Shell;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A root JVM that has used up its descriptors is told so, with its limit and how to raise it,
 * never that it lacks privileges; and it fails, even where missing privileges would only abort.
 * Proven in a child JVM with a small RLIMIT_NOFILE (set by prlimit) that loads every class from a
 * jar, as a user's JVM does: it opens /dev/null until the kernel says EMFILE, runs a fixture that
 * needs a namespace, closes its descriptors again, runs it once more, and only then prints what
 * the fixture saw.
 */
class DescriptorExhaustionTests {
  private static final String CHECK = "nsunit cannot check whether this JVM may create network namespaces:"
      + " open(/proc/self/status) failed: EMFILE (Too many open files). The JVM has no free file descriptor"
      + " (RLIMIT_NOFILE: soft limit ";
  private static final String LEAKS = "); this is not a missing privilege. Look for descriptors the tests leak"
      + " (sockets, streams, processes or namespaces never closed), or raise the limit. ";
  private static final String ARG_LINE = " Surefire's argLine cannot raise it: it only passes JVM options, and"
      + " the forked JVM inherits the limit of the process that starts it.";

  /** Entry point for the child JVM. */
  public static void main(String[] args) {
    // Nothing is built before: a thread that builds namespaces holds a descriptor while it lives,
    // and one that ended during a run would free one.
    StringBuilder out = new StringBuilder();
    List<Integer> held = new ArrayList<>();
    try {
      for (String policy : new String[] {"fail", "abort"}) {
        exhaust(held); // again each time: a run may free one (a stream closed, a finalized file)
        out.append(run(policy, policy));
      }
    } finally {
      held.forEach(Libc::close);
    }
    out.append(run("descriptors free again", "fail")); // the contrast
    System.out.print(out);
  }

  /** Opens /dev/null into {@code held} until the kernel says EMFILE. */
  private static void exhaust(List<Integer> held) {
    try {
      while (true) {
        held.add(Libc.openReadOnly("/dev/null"));
      }
    } catch (NativeCallException e) {
      if (e.errno() != Errno.EMFILE.intValue()) {
        throw e;
      }
    }
  }

  private static String run(String label, String policy) {
    StringBuilder out = new StringBuilder();
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(MissingPrivilegesTests.NeedsANamespaceTestCase.class))
        .configurationParameter(NsunitProperties.MISSING_PRIVILEGES, policy).execute().testEvents().stream()
        .filter(e -> e.getPayload(TestExecutionResult.class).isPresent()).forEach(e -> {
          TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
          Throwable t = r.getThrowable().orElse(null);
          out.append(label).append('|').append(r.getStatus()).append('|')
              .append(t == null ? "" : t.getClass().getSimpleName() + "|" + (t instanceof KernelException k ? k.errnoName() : t)
                  + "|" + t.getMessage())
              .append('\n');
        });
    return out.toString();
  }

  @TempDir static Path jars;
  private static String classPath;

  /**
   * The class path with each directory packed into a jar, as a user's JVM loads nsunit: a class
   * in a directory takes a descriptor to load, a class in a jar that is open already does not.
   */
  @BeforeAll
  static void packClassDirectories() throws IOException {
    List<String> entries = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator, -1)) {
      Path path = Path.of(entry);
      if (!entry.isEmpty() && Files.isDirectory(path)) {
        Path jar = jars.resolve(entries.size() + ".jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); Stream<Path> files = Files.walk(path)) {
          for (Path file : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
            out.putNextEntry(new JarEntry(path.relativize(file).toString().replace(File.separatorChar, '/')));
            Files.copy(file, out);
            out.closeEntry();
          }
        }
        entries.add(jar.toString());
      } else if (!entry.isEmpty()) {
        entries.add(entry);
      }
    }
    classPath = String.join(File.pathSeparator, entries);
  }

  private static List<String> child(String nofile, String... jvmOptions) {
    List<String> command = new ArrayList<>(List.of("prlimit", "--nofile=" + nofile, "--",
        Path.of(System.getProperty("java.home"), "bin", "java").toString()));
    command.addAll(List.of(jvmOptions));
    command.addAll(List.of("-cp", classPath, DescriptorExhaustionTests.class.getName()));
    return Shell.run(command).lines().toList();
  }

  @Test
  void aJvmAtItsHardLimitIsToldToRaiseTheHardLimitWhereMavenStarts() {
    // HotSpot raises the soft limit to the hard one at startup: the usual case
    String expected = CHECK + "256, hard limit 256" + LEAKS + "The JVM already runs at its hard limit (HotSpot raises"
        + " the soft limit to it at startup), so raise the hard limit of the shell or CI job that runs Maven: as"
        + " root, ulimit -Hn N and ulimit -n N; in a systemd unit, LimitNOFILE=N; in a container, docker run"
        + " --ulimit nofile=N:N." + ARG_LINE;

    assertThat(child("256:256")).containsExactly(
        "fail|FAILED|KernelException|EMFILE|" + expected,
        "abort|FAILED|KernelException|EMFILE|" + expected,
        "descriptors free again|SUCCESSFUL|");
  }

  @Test
  void aJvmBelowItsHardLimitIsToldTheUlimitThatRaisesIt() {
    String expected = CHECK + "256, hard limit 1024" + LEAKS + "Raise the soft limit up to the hard one with"
        + " ulimit -n 1024 in the shell or CI step that runs Maven." + ARG_LINE;

    assertThat(child("256:1024", "-XX:-MaxFDLimit")).containsExactly(
        "fail|FAILED|KernelException|EMFILE|" + expected,
        "abort|FAILED|KernelException|EMFILE|" + expected,
        "descriptors free again|SUCCESSFUL|");
  }
}
