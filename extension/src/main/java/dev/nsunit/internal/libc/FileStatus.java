package dev.nsunit.internal.libc;

/**
 * What {@link Libc#fileStatus} learned about a file: the fields of {@code struct statx} that say
 * what the file is and where it lives.
 *
 * @param mode {@code st_mode}: the type bits ({@code S_IFMT}) and the permissions
 * @param deviceMajor the major number of the device holding the file system ({@code st_dev})
 * @param deviceMinor its minor number; nsfs, like every pseudo file system, has major 0
 * @param inode the inode number
 */
public record FileStatus(int mode, int deviceMajor, int deviceMinor, long inode) {
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFIFO = 0010000;

  /** Whether this is a regular file (as nsfs files such as {@code /proc/PID/ns/net} are). */
  public boolean isRegularFile() {
    return (mode & S_IFMT) == S_IFREG;
  }

  /** Whether {@code other} lives on the same file system instance (the same {@code st_dev}). */
  public boolean onSameDeviceAs(FileStatus other) {
    return deviceMajor == other.deviceMajor && deviceMinor == other.deviceMinor;
  }

  /** The file's type as a noun with its article, for messages: "a regular file", "a FIFO (named pipe)"... */
  public String typeName() {
    switch (mode & S_IFMT) {
      case S_IFREG: return "a regular file";
      case S_IFDIR: return "a directory";
      case S_IFIFO: return "a FIFO (named pipe)";
      case S_IFCHR: return "a character device";
      case S_IFBLK: return "a block device";
      case S_IFSOCK: return "a socket";
      case S_IFLNK: return "a symbolic link";
      default: return "a file of unknown type (mode 0" + Integer.toOctalString(mode) + ")";
    }
  }
}
