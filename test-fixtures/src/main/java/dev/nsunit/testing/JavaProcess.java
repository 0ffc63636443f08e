package dev.nsunit.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A command that runs a main class in a new JVM: this JVM's own {@code java} and class path, so
 * it needs nothing the test run does not already have (no python, no netcat).
 */
public final class JavaProcess {
  private JavaProcess() {}

  /** {@code JAVA_HOME/bin/java -cp CLASSPATH MAIN ARGS}, for a {@link ProcessBuilder}. */
  public static List<String> command(Class<?> mainClass, String... args) {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(Arrays.asList(args));
    return cmd;
  }
}
