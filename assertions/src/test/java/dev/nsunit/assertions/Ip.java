package dev.nsunit.assertions;

import dev.nsunit.NetworkNamespace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 inside a test's namespace: tests configure with {@code ip}, the product never does. */
final class Ip {
  private Ip() {}

  /** {@code nsenter --net=<ns.path()> ip ARGS}; fails the test with ip's output if it fails. */
  static String ip(NetworkNamespace ns, String... args) {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + ns.path(), "ip"));
    cmd.addAll(Arrays.asList(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + cmd);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(cmd + " exited " + p.exitValue() + ": " + out);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
