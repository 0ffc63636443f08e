package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The first NIO channel a JVM closes makes the JDK (21 and later) open a Unix-domain socket pair
 * that lives as long as the JVM; inside a test's namespace it would pin that namespace for good.
 * nsunit opens it outside first. The check needs a fresh JVM, where nothing has used a channel
 * yet: {@link FirstChannelInsideMain} closes a pipe inside a new namespace and lists, with
 * {@code ss -xp} run in that namespace, the Unix sockets this JVM holds there.
 */
class JdkChannelsTests {

  @Test
  void aFreshJvmsFirstChannelLeavesNoSocketInTheNamespace() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), FirstChannelInsideMain.class.getName())
        .redirectErrorStream(true).start();
    child.getOutputStream().close();
    String out;
    try (var stdout = child.getInputStream()) { // closed now, not at some later GC
      out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
    }
    assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(child.exitValue()).as(out).isZero();
    assertThat(out).contains("unix sockets of this JVM in the namespace: []");
  }

  /** The child JVM's program. */
  static final class FirstChannelInsideMain {
    private FirstChannelInsideMain() {}

    public static void main(String[] args) throws Exception {
      long pid = ProcessHandle.current().pid();
      try (NetworkNamespace ns = NetworkNamespace.create("first-channel")) {
        ns.run(() -> {
          Pipe pipe = Pipe.open();
          pipe.sink().close();
          pipe.source().close();
        });
        String ss = Commands.in(ns.path().toString(), "ss", "-Hxap");
        System.out.println("unix sockets of this JVM in the namespace: "
            + ss.lines().filter(l -> l.contains("pid=" + pid + ",")).toList());
      }
    }
  }
}
