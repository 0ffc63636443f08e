package dev.nsunit.internal.escape;

import dev.nsunit.internal.libc.Libc;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A {@code /proc/thread-self/net/...} file of the namespace the opening thread was in, kept open
 * and re-read from offset 0 (the kernel regenerates it on each read): opening it anew, through
 * Java's file API, costs several times more than the read. Not thread-safe.
 */
final class ProcNetFile implements AutoCloseable {
  private final String path;
  private ByteBuffer buffer = ByteBuffer.allocateDirect(8192);
  private int fd;

  /** Opens {@code /proc/thread-self/net/NAME} in the calling thread's namespace. */
  ProcNetFile(String name) {
    this.path = "/proc/thread-self/net/" + name;
    this.fd = Libc.openReadOnly(path);
  }

  /** The file's current content. */
  String read() {
    if (fd < 0) {
      throw new IllegalStateException(path + " is closed");
    }
    while (true) {
      int n = Libc.preadFromStart(fd, buffer);
      if (n < buffer.capacity()) {
        byte[] bytes = new byte[n];
        buffer.get(0, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
      }
      buffer = ByteBuffer.allocateDirect(buffer.capacity() * 2); // may not have been all of it
    }
  }

  @Override
  public void close() {
    if (fd >= 0) {
      int f = fd;
      fd = -1;
      Libc.close(f);
    }
  }
}
