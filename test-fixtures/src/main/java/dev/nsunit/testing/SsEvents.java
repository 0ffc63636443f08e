package dev.nsunit.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The oracle for destroy events: {@code ss -E -Htun} (iproute2's own sock_diag event reader)
 * running in a namespace, its lines collected as they come.
 */
public final class SsEvents implements AutoCloseable {
  private static final long WAIT_MILLIS = 10_000;

  private final Process process;
  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final Thread reader;

  private SsEvents(Process process) {
    this.process = process;
    this.reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line.trim().replaceAll("\\s+", " "));
        }
      } catch (IOException e) {
        // the process was stopped
      }
    }, "ss-E-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * Starts {@code ss -E} in the namespace {@code nsPath} names (e.g. {@code /proc/PID/fd/N}) and
   * returns once it has joined the destroy groups.
   */
  public static SsEvents start(String nsPath) throws Exception {
    // stdbuf: ss writes through stdio, which a pipe would buffer until ss exits
    Process p = new ProcessBuilder("nsenter", "--net=" + nsPath, "stdbuf", "-oL", "ss", "-E", "-Htun")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    SsEvents events = new SsEvents(p);
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
    while (!subscribed(p.pid())) {
      if (System.nanoTime() - deadline > 0 || !p.isAlive()) {
        events.close();
        throw new AssertionError("ss -E did not join the sock_diag destroy groups within " + WAIT_MILLIS + " ms");
      }
      Thread.sleep(5);
    }
    return events;
  }

  /** Whether process {@code pid} holds a sock_diag socket (Eth 4) with a group joined, per /proc/PID/net/netlink. */
  private static boolean subscribed(long pid) throws IOException {
    List<String> table;
    try {
      table = Files.readAllLines(Path.of("/proc/" + pid + "/net/netlink"));
    } catch (IOException e) {
      return false; // not started yet, or gone
    }
    for (String row : table.subList(1, table.size())) {
      String[] f = row.trim().split("\\s+", -1);
      // sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
      if (f[1].equals("4") && f[2].equals(Long.toString(pid)) && !f[3].equals("00000000")) {
        return true;
      }
    }
    return false;
  }

  /** Waits until ss has printed a line containing every one of {@code parts}; returns it. */
  public String await(String... parts) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_MILLIS * 1_000_000;
    while (true) {
      for (String line : lines) {
        boolean all = true;
        for (String part : parts) {
          all &= line.contains(part);
        }
        if (all) {
          return line;
        }
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("ss -E printed no line with " + List.of(parts) + " within " + WAIT_MILLIS
            + " ms; it printed " + lines);
      }
      Thread.sleep(5);
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
    reader.join(10_000);
  }
}
