package dev.nsunit.internal.capture;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.ns.JvmSockets;
import dev.nsunit.internal.ns.Netns;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * In-process packet capture: a packet socket (AF_PACKET, every protocol, every interface) in each
 * captured namespace, read by one shared thread, {@code nsunit-capture}, into a bounded ring of
 * frames per namespace. Nothing is written unless someone asks: {@link Session#pcap} renders the
 * ring as a classic libpcap file (LINKTYPE_ETHERNET, nanosecond timestamps) that tcpdump and
 * Wireshark read.
 *
 * <p>The thread polls every session's socket and an eventfd that wakes it when sessions come and
 * go; it closes a session's socket itself, so a descriptor number is never reused under a poll,
 * and no one waits for the close.
 * It ends a second after the last session closes, unless another starts meanwhile.
 */
public final class PacketCapture {
  /** Bytes kept of each frame: a full Ethernet frame; larger (offloaded) segments are cut. */
  public static final int SNAPLEN = 1518;
  private static final int LINKTYPE_ETHERNET = 1;
  private static final int PCAP_MAGIC_NANOS = 0xa1b23c4d;
  private static final long EPOCH_NANOS = System.currentTimeMillis() * 1_000_000L;
  private static final long NANO_BASE = System.nanoTime();

  /** How long the thread waits for a new session before it ends: tests come one after another. */
  private static final long IDLE_NANOS = 1_000_000_000L;
  private static final Object LOCK = new Object();
  private static final List<Session> SESSIONS = new ArrayList<>(); // guarded by LOCK
  private static final List<Session> CLOSING = new ArrayList<>(); // guarded by LOCK
  private static Thread thread; // guarded by LOCK
  private static int wakeFd = -1; // guarded by LOCK; lives as long as the thread

  private PacketCapture() {}

  /** One captured frame. */
  private static final class Frame {
    final long epochNanos;
    final int originalLength;
    final byte[] data;

    Frame(long epochNanos, int originalLength, byte[] data) {
      this.epochNanos = epochNanos;
      this.originalLength = originalLength;
      this.data = data;
    }
  }

  /** The capture of one namespace, until {@link #close()}. */
  public static final class Session implements AutoCloseable {
    private final int fd;
    private final String name;
    private final long ringBytes;
    private final ArrayDeque<Frame> ring = new ArrayDeque<>(); // guarded by this
    private long bytes; // guarded by this
    private long frames; // guarded by this
    private long evicted; // guarded by this
    private final long inode;
    private boolean closed; // guarded by LOCK

    private Session(int fd, String name, long ringBytes) {
      this.fd = fd;
      this.inode = Libc.fileStatus(fd).inode();
      this.name = name;
      this.ringBytes = ringBytes;
    }

    private synchronized void add(long epochNanos, int originalLength, ByteBuffer buffer, int captured) {
      byte[] data = new byte[captured];
      buffer.get(0, data);
      ring.addLast(new Frame(epochNanos, originalLength, data));
      bytes += captured + 16;
      frames++;
      while (bytes > ringBytes && ring.size() > 1) {
        Frame f = ring.removeFirst();
        bytes -= f.data.length + 16;
        evicted++;
      }
    }

    /** Frames seen since the capture started. */
    public synchronized long frames() {
      return frames;
    }

    /** Frames the ring let go to stay within its size, oldest first. */
    public synchronized long evicted() {
      return evicted;
    }

    /**
     * The frames in the ring captured at or after {@code sinceEpochNanos} (nanoseconds since the
     * epoch), as a libpcap file.
     */
    public synchronized byte[] pcap(long sinceEpochNanos) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteBuffer header = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
      header.putInt(PCAP_MAGIC_NANOS).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(SNAPLEN)
          .putInt(LINKTYPE_ETHERNET);
      out.writeBytes(header.array());
      for (Frame f : ring) {
        if (f.epochNanos < sinceEpochNanos) {
          continue;
        }
        ByteBuffer record = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        record.putInt((int) (f.epochNanos / 1_000_000_000L)).putInt((int) (f.epochNanos % 1_000_000_000L))
            .putInt(f.data.length).putInt(f.originalLength);
        out.writeBytes(record.array());
        out.writeBytes(f.data);
      }
      return out.toByteArray();
    }

    /**
     * Stops capturing; the ring stays readable. Returns at once: the capture thread closes the
     * socket (closing a packet socket waits for an RCU grace period, up to a millisecond when
     * namespaces are being torn down), and until then the socket keeps the namespace alive without
     * counting as a ghost ({@link JvmSockets#closingSoon}). Idempotent.
     */
    @Override
    public void close() {
      synchronized (LOCK) {
        if (closed) {
          return;
        }
        closed = true;
        JvmSockets.closingSoon(inode);
        CLOSING.add(this);
        wake();
      }
    }

    @Override
    public String toString() {
      return "capture of " + name;
    }
  }

  /**
   * Starts capturing every frame of every interface of {@code netns}, keeping the most recent
   * {@code ringBytes} of them.
   */
  public static Session start(Netns netns, String name, long ringBytes) {
    int prepared = netns.takePreparedPacketSocket(); // a pooled namespace comes with one: no trip to the maker
    int fd;
    if (prepared >= 0) {
      try {
        Libc.bindPacketSocket(prepared, 0, false);
      } catch (RuntimeException e) {
        Libc.close(prepared);
        throw e;
      }
      fd = prepared;
    } else {
      fd = netns.setUp(() -> Libc.packetSocket(0, false));
    }
    Session s = new Session(fd, name, ringBytes);
    synchronized (LOCK) {
      if (thread == null) {
        try {
          wakeFd = Libc.eventfd();
        } catch (RuntimeException e) {
          Libc.close(fd);
          throw e;
        }
        thread = new Thread(PacketCapture::loop, "nsunit-capture");
        thread.setDaemon(true);
        thread.start();
      }
      SESSIONS.add(s);
      wake();
    }
    return s;
  }

  private static void wake() {
    ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
    Libc.write(wakeFd, one, 8);
  }

  private static void loop() {
    try {
      capture();
    } catch (RuntimeException | Error e) {
      synchronized (LOCK) { // close every socket, and let the next start() begin afresh
        for (Session s : SESSIONS) {
          Libc.close(s.fd);
          JvmSockets.closed(s.inode);
        }
        SESSIONS.clear();
        CLOSING.clear();
        if (wakeFd >= 0) {
          Libc.close(wakeFd);
          wakeFd = -1;
        }
        thread = null;
      }
      throw e;
    }
  }

  private static void capture() {
    ByteBuffer frame = ByteBuffer.allocateDirect(SNAPLEN);
    ByteBuffer drain = ByteBuffer.allocateDirect(8);
    ByteBuffer pollfds = ByteBuffer.allocateDirect(8 * 64).order(ByteOrder.nativeOrder());
    long idleSince = 0;
    while (true) {
      List<Session> sessions;
      int wake;
      synchronized (LOCK) {
        for (Session s : CLOSING) {
          SESSIONS.remove(s);
          Libc.close(s.fd);
          JvmSockets.closed(s.inode);
        }
        CLOSING.clear();
        if (SESSIONS.isEmpty()) {
          if (idleSince == 0) {
            idleSince = System.nanoTime();
          } else if (System.nanoTime() - idleSince > IDLE_NANOS) {
            Libc.close(wakeFd);
            wakeFd = -1;
            thread = null;
            return;
          }
        } else {
          idleSince = 0;
        }
        sessions = List.copyOf(SESSIONS);
        wake = wakeFd;
      }
      int[] fds = new int[sessions.size() + 1];
      fds[0] = wake;
      for (int i = 0; i < sessions.size(); i++) {
        fds[i + 1] = sessions.get(i).fd;
      }
      if (pollfds.capacity() < 8 * fds.length) {
        pollfds = ByteBuffer.allocateDirect(16 * fds.length).order(ByteOrder.nativeOrder());
      }
      boolean[] ready = Libc.pollIn(fds, pollfds, sessions.isEmpty() ? (int) (IDLE_NANOS / 1_000_000) : 1_000);
      if (ready[0]) {
        Libc.read(wake, drain);
      }
      for (int i = 1; i < fds.length; i++) {
        if (ready[i]) {
          read(sessions.get(i - 1), frame);
        }
      }
    }
  }

  private static void read(Session s, ByteBuffer frame) {
    for (long n; (n = Libc.receive(s.fd, frame, Libc.MSG_TRUNC | Libc.MSG_DONTWAIT)) >= 0; ) {
      long now = EPOCH_NANOS + (System.nanoTime() - NANO_BASE);
      s.add(now, (int) n, frame, (int) Math.min(n, SNAPLEN));
    }
  }

  /** Now, in nanoseconds since the epoch, on the clock the captured frames are stamped with. */
  public static long nowEpochNanos() {
    return EPOCH_NANOS + (System.nanoTime() - NANO_BASE);
  }
}
