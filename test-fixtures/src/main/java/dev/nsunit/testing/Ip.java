package dev.nsunit.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * iproute2 inside a namespace, for tests: they configure with {@code ip} and read back with
 * {@code ip -j} to compare against nsunit's own netlink view (the independent oracle). A
 * namespace is named by a path that {@code nsenter --net=} accepts: an fd-held namespace's
 * {@code /proc/PID/fd/N}, or {@code /run/netns/NAME}.
 */
public final class Ip {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Ip() {}

  /** {@code nsenter --net=NSPATH ip ARGS}: stdout, or an AssertionError with ip's output. */
  public static String ip(Path nsPath, String... args) {
    return ip(nsPath.toString(), Arrays.asList(args));
  }

  /** {@code nsenter --net=NSPATH ip ARGS}: stdout, or an AssertionError with ip's output. */
  public static String ip(String nsPath, String... args) {
    return ip(nsPath, Arrays.asList(args));
  }

  /** {@code nsenter --net=NSPATH ip ARGS}: stdout, or an AssertionError with ip's output. */
  public static String ip(String nsPath, List<String> args) {
    List<String> cmd = new ArrayList<>(List.of("ip"));
    cmd.addAll(args);
    return Shell.in(nsPath, cmd);
  }

  /**
   * Whether {@code ip ARGS} succeeds in the namespace, e.g. a probe for a link kind the kernel
   * may lack ("Error: Unknown device type.").
   */
  public static boolean succeeds(String nsPath, String... args) {
    try {
      ip(nsPath, args);
      return true;
    } catch (AssertionError e) {
      return false;
    }
  }

  /** {@code nsenter --net=NSPATH ip -j ARGS}, parsed; an empty answer is an empty array. */
  public static JsonNode json(String nsPath, String... args) {
    List<String> cmd = new ArrayList<>(List.of("-j"));
    cmd.addAll(Arrays.asList(args));
    return parse(ip(nsPath, cmd));
  }

  /** Parses what {@code ip -j} printed; blank output (nothing matched) is an empty array. */
  public static JsonNode parse(String json) {
    try {
      return JSON.readTree(json.isBlank() ? "[]" : json);
    } catch (IOException e) {
      throw new AssertionError("iproute2 printed invalid JSON: " + json, e);
    }
  }
}
