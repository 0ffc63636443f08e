package dev.nsunit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs iproute2 and friends for tests: the independent oracle. The product never does this. */
public final class Shell {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Shell() {}

  /** Runs a command, fails with its output if it exits non-zero, returns stdout. */
  public static String run(String... command) {
    return run(Arrays.asList(command));
  }

  /** Runs a command, fails with its output if it exits non-zero, returns stdout. */
  public static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
      p.getOutputStream().close();
      byte[] out = p.getInputStream().readAllBytes();
      byte[] err = p.getErrorStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("timed out: " + command);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(command + " exited " + p.exitValue() + ": "
            + new String(err, StandardCharsets.UTF_8) + new String(out, StandardCharsets.UTF_8));
      }
      return new String(out, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** Runs {@code ip -j ARGS} in the namespace at {@code nsPath} and parses the JSON. */
  public static JsonNode ipJson(String nsPath, String... args) {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + nsPath, "ip", "-j"));
    cmd.addAll(Arrays.asList(args));
    String out = run(cmd);
    try {
      return JSON.readTree(out.isBlank() ? "[]" : out);
    } catch (IOException e) {
      throw new AssertionError("ip printed invalid JSON: " + out, e);
    }
  }

  /** Runs a command inside the namespace at {@code nsPath} through nsenter. */
  public static String in(String nsPath, String... command) {
    List<String> cmd = new ArrayList<>(List.of("nsenter", "--net=" + nsPath));
    cmd.addAll(Arrays.asList(command));
    return run(cmd);
  }
}
