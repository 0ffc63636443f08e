package dev.nsunit.internal.ns;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A namespace's {@code /proc/net/sockstat} and {@code sockstat6}, opened from a thread inside it
 * (a file under {@code /proc/thread-self/net} stays bound to the namespace it was opened in) and
 * read again at will from any thread. Their {@code inuse} counters count the TCP and UDP sockets
 * in the namespace's tables, which are what a sock_diag dump lists.
 */
final class SocketCounts implements AutoCloseable {
  private static final String[] COUNTERS = {"TCP: inuse ", "UDP: inuse ", "TCP6: inuse ", "UDP6: inuse "};

  private final FileChannel v4;
  private final FileChannel v6;
  private final ByteBuffer buffer = ByteBuffer.allocate(1024);

  private SocketCounts(FileChannel v4, FileChannel v6) {
    this.v4 = v4;
    this.v6 = v6;
  }

  /** Opens the calling thread's namespace's counters. */
  static SocketCounts openHere() {
    FileChannel v4 = null;
    try {
      v4 = FileChannel.open(Path.of("/proc/thread-self/net/sockstat"));
      return new SocketCounts(v4, FileChannel.open(Path.of("/proc/thread-self/net/sockstat6")));
    } catch (IOException e) {
      if (v4 != null) {
        try {
          v4.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new IllegalStateException("cannot open /proc/thread-self/net/sockstat: " + e.getMessage(), e);
    }
  }

  /** TCP and UDP sockets in use, IPv4 and IPv6 together; -1 if unreadable. */
  synchronized long inUse() {
    try {
      return count(read(v4)) + count(read(v6));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private String read(FileChannel c) throws IOException {
    buffer.clear();
    long position = 0;
    int n;
    while ((n = c.read(buffer, position)) > 0) {
      position += n;
      if (!buffer.hasRemaining()) {
        break;
      }
    }
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
  }

  private static long count(String text) {
    long sum = 0;
    for (String counter : COUNTERS) {
      int at = text.indexOf(counter);
      if (at < 0) {
        continue;
      }
      int from = at + counter.length();
      int to = from;
      while (to < text.length() && Character.isDigit(text.charAt(to))) {
        to++;
      }
      sum += Long.parseLong(text, from, to, 10);
    }
    return sum;
  }

  @Override
  public void close() {
    try {
      v4.close();
      v6.close();
    } catch (IOException e) {
      // read-only proc files: nothing was lost
    }
  }
}
