package dev.nsunit.internal.ns;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Rewrites a {@link ProcessBuilder} so that its process receives SIGKILL when the thread that
 * forked it exits, which includes the JVM dying by {@code kill -9}: a process left running would
 * pin its network namespace, and every veth in it, forever.
 *
 * <p>Why {@code setpriv --pdeathsig KILL --} (util-linux, present on every Debian/Ubuntu
 * system) rather than a helper of our own: it sets {@code PR_SET_PDEATHSIG} and then
 * {@code execvp}s the command in place, so the pid, the streams and the exit code the caller
 * sees are the command's own, and it costs one extra {@code execve} (about a millisecond). A
 * shell wrapper could not set the flag; a JNI/posix_spawn path would need native code outside
 * jnr's reach. When {@code setpriv} is missing the builder is used unchanged and the guarantee
 * degrades to {@link Netns#close()} (documented in the README).
 */
final class ProcessGuard {
  private static final String SETPRIV = find("setpriv");
  private static final String NSENTER = find("nsenter");

  private ProcessGuard() {}

  private static String find(String program) {
    for (String dir : List.of("/usr/bin", "/bin", "/usr/sbin", "/sbin")) {
      Path p = Path.of(dir, program);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    return null;
  }

  /** Whether processes are guarded (setpriv was found). */
  static boolean available() {
    return SETPRIV != null;
  }

  /** Whether a process can enter its namespace itself ({@code nsenter}, util-linux, was found). */
  static boolean canEnter() {
    return NSENTER != null;
  }

  /** Like {@link #guard(ProcessBuilder)}, without entering a namespace. */
  static ProcessBuilder guard(ProcessBuilder original) throws IOException {
    return guard(original, null);
  }

  /**
   * A copy of {@code original} (directory, environment, redirects) whose command is prefixed
   * with {@code setpriv --pdeathsig KILL --} and, if {@code enterPath} is given,
   * {@code nsenter --net=ENTERPATH --}: both exec the next program in place, so the pid, streams
   * and exit code stay the command's own.
   *
   * @throws IOException as {@link ProcessBuilder#start()} would if the program or the working
   *     directory does not exist, naming the program: setpriv would otherwise start and only then
   *     fail with exit code 127, or the JDK would name setpriv
   */
  static ProcessBuilder guard(ProcessBuilder original, String enterPath) throws IOException {
    return guard(original, enterPath, List.of());
  }

  /**
   * Like {@link #guard(ProcessBuilder, String)}, with more {@code nsenter} options, e.g. a mount
   * namespace; then {@code --wd} keeps the working directory, which entering a mount namespace
   * would otherwise reset to its root.
   */
  static ProcessBuilder guard(ProcessBuilder original, String enterPath, List<String> moreNsenterOptions)
      throws IOException {
    List<String> command = original.command();
    if (command.isEmpty()) {
      throw new IndexOutOfBoundsException("the ProcessBuilder's command is empty");
    }
    if (SETPRIV == null && enterPath == null) {
      return original;
    }
    requireDirectory(command.get(0), original);
    requireExecutable(command.get(0), original);
    List<String> wrapped = new ArrayList<>(command.size() + 7);
    if (SETPRIV != null) {
      wrapped.add(SETPRIV);
      wrapped.add("--pdeathsig");
      wrapped.add("KILL");
      wrapped.add("--");
    }
    if (enterPath != null) {
      wrapped.add(NSENTER);
      wrapped.add("--net=" + enterPath);
      if (!moreNsenterOptions.isEmpty()) {
        wrapped.addAll(moreNsenterOptions);
        File dir = original.directory() != null ? original.directory() : new File(System.getProperty("user.dir"));
        wrapped.add("--wd=" + dir.getAbsolutePath());
      }
      wrapped.add("--");
    }
    wrapped.addAll(command);
    ProcessBuilder b = new ProcessBuilder(wrapped)
        .directory(original.directory())
        .redirectInput(original.redirectInput())
        .redirectOutput(original.redirectOutput())
        .redirectError(original.redirectError())
        .redirectErrorStream(original.redirectErrorStream());
    Map<String, String> env = b.environment();
    env.clear();
    env.putAll(original.environment());
    return b;
  }

  /**
   * A missing working directory would make the JDK name setpriv, the program it actually starts,
   * in its error: report it for the user's program, in the JDK's own words.
   */
  private static void requireDirectory(String program, ProcessBuilder original) throws IOException {
    File dir = original.directory();
    if (dir == null || dir.isDirectory()) {
      return;
    }
    String error = dir.exists() ? "error=20, Not a directory" : "error=2, No such file or directory";
    throw new IOException("Cannot run program \"" + program + "\" (in directory \"" + dir + "\"): " + error
        + " (the ProcessBuilder's working directory; pass an existing directory to directory(...),"
        + " or null for the JVM's own)");
  }

  private static void requireExecutable(String program, ProcessBuilder original) throws IOException {
    if (program.contains("/")) {
      Path p = Path.of(program);
      if (!p.isAbsolute() && original.directory() != null) {
        p = original.directory().toPath().resolve(p);
      }
      if (!Files.isExecutable(p)) {
        throw notFound(program, original);
      }
      return;
    }
    // setpriv's execvp searches the child's PATH; fall back to ours as ProcessBuilder does
    String path = original.environment().getOrDefault("PATH", System.getenv("PATH"));
    if (path == null) {
      path = "/usr/local/bin:/usr/bin:/bin";
    }
    for (String dir : path.split(File.pathSeparator, -1)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program)) && !Files.isDirectory(Path.of(dir, program))) {
        return;
      }
    }
    throw notFound(program, original);
  }

  private static IOException notFound(String program, ProcessBuilder original) {
    String where = original.directory() == null ? "" : " (in directory \"" + original.directory() + "\")";
    return new IOException("Cannot run program \"" + program + "\"" + where + ": error=2, No such file or directory");
  }
}
