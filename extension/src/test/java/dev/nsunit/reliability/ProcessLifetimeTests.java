package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.internal.libc.Libc;
import dev.nsunit.testing.Await;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Processes started in a namespace carry PR_SET_PDEATHSIG (see the crash test for the JVM-death
 * half) without changing what {@link ProcessBuilder} promises.
 */
class ProcessLifetimeTests {

  @Test
  void theProcessIsTheCommandItselfWithItsDirectoryEnvironmentAndRedirects() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("guard")) {
      ProcessBuilder b = new ProcessBuilder("sh", "-c", "echo \"$GREETING\" from $(pwd); echo oops >&2; exit 7")
          .directory(new File("/tmp")).redirectErrorStream(true);
      b.environment().put("GREETING", "hello");
      Process p = ns.start(b);
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor()).isEqualTo(7);
      assertThat(out).isEqualTo("hello from /tmp\noops\n");

      Process sleeper = ns.start(new ProcessBuilder("sleep", "600"));
      // same pid: setpriv sets the parent-death signal, then execs sleep in place
      Path comm = Path.of("/proc/" + sleeper.pid() + "/comm");
      Await.until("pid " + sleeper.pid() + " to exec sleep", () -> !sleeper.isAlive() || commOf(comm).equals("sleep"),
          () -> commOf(comm));
      assertThat(sleeper.isAlive()).isTrue();
      assertThat(sleeper.info().command()).hasValue("/usr/bin/sleep");
      assertThat(Files.readSymbolicLink(Path.of("/proc/" + sleeper.pid() + "/ns/net")).toString())
          .isEqualTo("net:[" + ns.id().inode() + "]");
    }
  }

  @Test
  void aMissingProgramStillFailsAtStartWithIoException() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("guard")) {
      assertThatThrownBy(() -> ns.start(new ProcessBuilder("no-such-program-nsunit")))
          .isExactlyInstanceOf(IOException.class)
          .hasMessage("Cannot run program \"no-such-program-nsunit\": error=2, No such file or directory");
      assertThatThrownBy(() -> ns.start(new ProcessBuilder("./nope").directory(new File("/tmp"))))
          .isExactlyInstanceOf(IOException.class)
          .hasMessageContaining("Cannot run program \"./nope\" (in directory \"/tmp\")");
    }
  }

  private static String commOf(Path comm) {
    try {
      return Files.readString(comm).trim();
    } catch (IOException e) {
      return "gone (" + e.getMessage() + ")";
    }
  }

  /**
   * PR_SET_PDEATHSIG fires when the forking <em>thread</em> exits. A process started from a
   * short-lived thread must survive that thread (it is forked by the namespace's launcher).
   */
  @Test
  void theProcessOutlivesTheThreadThatAskedForIt() throws Exception {
    try (NetworkNamespace ns = NetworkNamespace.create("guard")) {
      AtomicReference<Process> started = new AtomicReference<>();
      AtomicInteger tid = new AtomicInteger();
      Thread caller = new Thread(() -> {
        tid.set(Libc.gettid());
        try {
          started.set(ns.start(new ProcessBuilder("sleep", "600")));
        } catch (IOException e) {
          throw new AssertionError(e);
        }
      });
      caller.start();
      caller.join();
      Path task = Path.of("/proc/self/task/" + tid.get());
      // Thread.join returns before the kernel task is gone
      Await.until("the kernel task of the joined thread to end", () -> !Files.exists(task), () -> task + " exists");
      Process p = started.get();
      assertThat(p.waitFor(300, TimeUnit.MILLISECONDS)).as("killed when its caller thread exited").isFalse();
      ns.close();
      assertThat(p.isAlive()).isFalse();
    }
  }
}
