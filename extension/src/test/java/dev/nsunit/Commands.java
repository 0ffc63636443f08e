package dev.nsunit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs iproute2 and ss for the oracle tests of this package and closes every pipe at once, so
 * that no descriptor of theirs waits for a GC (the stress tests count descriptors).
 */
final class Commands {
  private Commands() {}

  /** Runs {@code command} in the namespace at {@code nsPath} (the JVM's own if null); its stdout. */
  static String in(String nsPath, String... command) {
    List<String> cmd = new ArrayList<>();
    if (nsPath != null) {
      cmd.addAll(List.of("nsenter", "--net=" + nsPath));
    }
    cmd.addAll(Arrays.asList(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String out;
      try (InputStream stdout = p.getInputStream()) {
        out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
      }
      if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
        p.destroyForcibly();
        throw new AssertionError(cmd + " failed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot run " + cmd, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** {@code ip -j ARGS} in the namespace at {@code nsPath}, parsed. */
  static JsonNode ipJson(String nsPath, String... args) {
    List<String> cmd = new ArrayList<>(List.of("ip", "-j"));
    cmd.addAll(Arrays.asList(args));
    String out = in(nsPath, cmd.toArray(new String[0]));
    try {
      return new ObjectMapper().readTree(out.isBlank() ? "[]" : out);
    } catch (IOException e) {
      throw new AssertionError("ip printed invalid JSON: " + out, e);
    }
  }
}
