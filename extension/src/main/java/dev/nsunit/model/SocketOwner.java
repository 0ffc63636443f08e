package dev.nsunit.model;

/**
 * A process holding a socket open, found (like {@code ss -p}) through the {@code socket:[inode]}
 * links under {@code /proc/<pid>/fd}.
 *
 * @param pid the process id
 * @param command the command name from {@code /proc/<pid>/comm}, e.g. {@code java}
 * @param fd the file descriptor number in that process
 */
public record SocketOwner(long pid, String command, int fd) {

  /** Like ss's users column: {@code ("java",pid=1234,fd=42)}. */
  @Override
  public String toString() {
    return "(\"" + command + "\",pid=" + pid + ",fd=" + fd + ")";
  }
}
