package dev.nsunit.testing;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs commands for tests (iproute2, nsenter, sysctl): the independent view the tests compare
 * nsunit against. The product never does this.
 */
public final class Shell {
  /** How long one command may take; only reached by a command that hangs. */
  public static final Duration TIMEOUT = Duration.ofSeconds(60);

  private Shell() {}

  /** Runs a command; returns its stdout, or fails with its exit status, stderr and stdout. */
  public static String run(String... command) {
    return run(Arrays.asList(command));
  }

  /** Runs a command; returns its stdout, or fails with its exit status, stderr and stdout. */
  public static String run(List<String> command) {
    Path out = null;
    Path err = null;
    try {
      // files, not pipes: a command that fills one pipe while we drain the other cannot stall
      out = Files.createTempFile("nsunit-shell-", ".out");
      err = Files.createTempFile("nsunit-shell-", ".err");
      Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
          .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly().waitFor();
        throw new AssertionError(command + " did not finish within " + TIMEOUT.toSeconds() + " s; it printed: "
            + read(err) + read(out));
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(command + " exited " + p.exitValue() + ": " + read(err) + read(out));
      }
      return read(out);
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted while running " + command, e);
    } finally {
      delete(out);
      delete(err);
    }
  }

  /** Runs a command inside the network namespace at {@code nsPath} (through {@code nsenter}). */
  public static String in(String nsPath, String... command) {
    return in(nsPath, Arrays.asList(command));
  }

  /** Runs a command inside the network namespace at {@code nsPath} (through {@code nsenter}). */
  public static String in(String nsPath, List<String> command) {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + nsPath));
    cmd.addAll(command);
    return run(cmd);
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static void delete(Path file) {
    if (file != null) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException ignored) {
        // a stray file in the temp directory is not worth failing a test for
      }
    }
  }
}
