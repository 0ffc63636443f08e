package dev.nsunit.internal.ns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The processes {@code /proc} lists, as {@code ps} and {@code ss -p} find them. */
public final class ProcDirectory {
  private static final Path PROC = Path.of("/proc");

  private ProcDirectory() {}

  /**
   * The {@code /proc/<pid>} directory of every process this PID namespace shows, at the moment of
   * the listing: a process may exit while the caller reads its entries.
   *
   * @throws IllegalStateException if {@code /proc} cannot be listed
   */
  public static List<Path> processes() {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> pids = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
      pids.forEach(out::add);
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + PROC, e);
    }
    return out;
  }

  /** The command name ({@code /proc/<pid>/comm}, 15 characters at most), or {@code ?} once the process is gone. */
  public static String command(Path processDirectory) {
    try {
      return new String(Files.readAllBytes(processDirectory.resolve("comm")), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
