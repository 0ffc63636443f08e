package dev.nsunit.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** Finds the programs tests run on {@code PATH}, as a shell would, instead of hard-coding where they live. */
public final class Programs {
  private Programs() {}

  /** The first executable {@code name} in a directory of {@code PATH}, if any. */
  public static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (dir.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /**
   * The path of {@code name} on {@code PATH}; where there is none, skips the calling test with
   * the reason (what the program is {@code neededFor}) and the {@code PATH} that was searched.
   */
  public static Path require(String name, String neededFor) {
    Optional<Path> found = onPath(name);
    assumeTrue(found.isPresent(), () -> name + " is not on PATH (" + System.getenv("PATH") + "); it is needed for "
        + neededFor + ". Install it (Debian: apt-get install " + name + ") to run this test.");
    return found.get();
  }
}
