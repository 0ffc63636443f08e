package dev.nsunit.internal.ns;

import static java.util.Objects.requireNonNull;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.netlink.LinkRequest;
import dev.nsunit.internal.netlink.Rtnetlink;
import dev.nsunit.model.Link;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A userspace relay spliced between an endpoint's veth and its bridge, which delays, jitters and
 * drops frames: latency for kernels without {@code sch_netem}. The lab-side veth leaves the
 * bridge; a veth pair takes its place, one end ({@code nsutN}) a port of the bridge; two threads
 * pass every frame between a packet socket on the endpoint's veth and one on the pair's other end
 * ({@code nsurN}), each after its direction's delay. (A TAP device would do the same, but
 * {@code /dev/net/tun} is often root's alone, and the rootless mode must delay frames too.)
 *
 * <pre>
 *   endpoint eth0 ── veth (packet socket) ⇄ relay threads ⇄ (packet socket) nsurN ── nsutN ── bridge
 * </pre>
 *
 * <p>Frames keep their offload metadata across the relay (a {@code virtio_net_hdr} with each,
 * {@code PACKET_VNET_HDR} on both sockets), so a TCP segment the sender left for the hardware to
 * checksum, or a large segment the kernel would split later, arrives intact. The cost: two system
 * calls and two thread hand-offs a frame.
 *
 * <p>Undone by {@link #close()}: the threads stop, the pair is deleted, the veth rejoins the
 * bridge. A JVM killed meanwhile takes the lab namespace, where all of it lives, with it.
 */
public final class FrameRelay implements AutoCloseable {
  private static final AtomicInteger NUMBERS = new AtomicInteger();
  private static final int VNET_HDR = 10; // sizeof(struct virtio_net_hdr)
  private static final int BUFFER = VNET_HDR + 65_550; // a GSO frame of up to 64 KiB, with its header
  private static final int PACKET_VNET_HDR = 15; // linux/if_packet.h
  private static final int POLL_MILLIS = 50;

  /**
   * What happens to the frames of one direction.
   *
   * @param delay added to every frame
   * @param jitter each frame's delay varies uniformly within {@code delay ± jitter} (never below
   *     zero), so frames may overtake each other, as with netem
   * @param lossPercent the chance in percent that an IPv4 or IPv6 unicast frame is dropped (the
   *     link's broadcast and multicast chatter, ARP and neighbour discovery, always passes)
   */
  public record Shaping(Duration delay, Duration jitter, double lossPercent) {
    /** Frames pass as they come. */
    public static final Shaping NONE = new Shaping(Duration.ZERO, Duration.ZERO, 0);

    public Shaping {
      requireNonNull(delay, "delay");
      requireNonNull(jitter, "jitter");
      if (delay.isNegative() || jitter.isNegative()) {
        throw new IllegalArgumentException("a delay and its jitter cannot be negative: " + delay + " ± " + jitter);
      }
      if (!(lossPercent >= 0 && lossPercent <= 100)) {
        throw new IllegalArgumentException("loss is a percentage from 0 to 100, not " + lossPercent);
      }
    }

    boolean isNone() {
      return delay.isZero() && jitter.isZero() && lossPercent == 0;
    }
  }

  /** A frame waiting for its time. */
  private static final class Pending implements Delayed {
    private final long dueNanos;
    private final long sequence;
    private final int toFd;
    private final byte[] frame;

    Pending(long dueNanos, long sequence, int toFd, byte[] frame) {
      this.dueNanos = dueNanos;
      this.sequence = sequence;
      this.toFd = toFd;
      this.frame = frame;
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueNanos - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Pending p = (Pending) o;
      int c = Long.compare(dueNanos, p.dueNanos);
      return c != 0 ? c : Long.compare(sequence, p.sequence);
    }
  }

  private final Netns host;
  private final int vethIndex;
  private final int bridgeIndex;
  private final String portName;
  private final int portIndex;
  private final int tapFd; // the packet socket on the pair's relay end: frames to and from the bridge
  private final int packetFd; // the packet socket on the endpoint's veth
  private final Shaping fromEndpoint;
  private final Shaping toEndpoint;
  private final Random fromRandom;
  private final Random toRandom;
  private final Random jitterRandom = new Random();
  private final DelayQueue<Pending> queue = new DelayQueue<>();
  private final AtomicLong sequence = new AtomicLong();
  private final AtomicLong relayed = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final Thread reader;
  private final Thread sender;
  private volatile boolean stopping;
  private boolean closed; // guarded by this

  private FrameRelay(Netns host, int vethIndex, int bridgeIndex, String portName, int portIndex, int tapFd,
      int packetFd, Shaping fromEndpoint, Shaping toEndpoint, Long seed) {
    this.host = host;
    this.vethIndex = vethIndex;
    this.bridgeIndex = bridgeIndex;
    this.portName = portName;
    this.portIndex = portIndex;
    this.tapFd = tapFd;
    this.packetFd = packetFd;
    this.fromEndpoint = fromEndpoint;
    this.toEndpoint = toEndpoint;
    this.fromRandom = seed == null ? new Random() : new Random(seed);
    this.toRandom = seed == null ? new Random() : new Random(~seed);
    this.reader = new Thread(this::readLoop, "nsunit-relay-" + portName);
    this.sender = new Thread(this::sendLoop, "nsunit-relay-" + portName + "-send");
    reader.setDaemon(true);
    sender.setDaemon(true);
  }

  /**
   * Splices a relay between the veth {@code vethIndex} in {@code host} (the endpoint's peer) and
   * the bridge {@code bridgeIndex} it is a port of.
   *
   * @param fromEndpoint what happens to frames the endpoint sends
   * @param toEndpoint what happens to frames sent to the endpoint
   * @param seed the seed of the loss draws, or null for a random one; with a seed, the same
   *     sequence of IP unicast frames loses the same frames every time
   */
  public static FrameRelay splice(Netns host, int vethIndex, int bridgeIndex, Shaping fromEndpoint,
      Shaping toEndpoint, Long seed) {
    String number = Integer.toHexString(NUMBERS.incrementAndGet());
    String portName = "nsut" + number;
    String relayName = "nsur" + number;
    Rtnetlink rt = host.rtnetlink();
    Link veth = rt.link(vethIndex).orElseThrow(() -> new IllegalStateException("the endpoint's veth (if" + vethIndex
        + ") is gone"));
    rt.add(LinkRequest.veth(portName, relayName).mtu(veth.mtu()));
    int portIndex = -1;
    int[] fds = null;
    try {
      portIndex = rt.indexOf(portName);
      int relayIndex = rt.indexOf(relayName);
      rt.setArp(relayIndex, false); // it carries other hosts' frames, like the endpoint's veth below
      rt.setUp(relayIndex, true);
      fds = host.setUp(() -> {
        int endpointSide = packetSocket(vethIndex);
        try {
          return new int[] {endpointSide, packetSocket(relayIndex)};
        } catch (RuntimeException e) {
          Libc.close(endpointSide);
          throw e;
        }
      });
    } catch (RuntimeException e) {
      try {
        rt.delete(portIndex >= 0 ? portIndex : rt.indexOf(portName));
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    FrameRelay relay = new FrameRelay(host, vethIndex, bridgeIndex, portName, portIndex, fds[1], fds[0], fromEndpoint,
        toEndpoint, seed);
    try {
      rt.setMaster(vethIndex, 0);
      rt.setArp(vethIndex, false); // the lab must not answer ARP on the endpoint's wire for addresses it has elsewhere
      rt.setMaster(portIndex, bridgeIndex);
      rt.setUp(portIndex, true);
      relay.reader.start();
      relay.sender.start();
      return relay;
    } catch (RuntimeException e) {
      try {
        relay.close();
      } catch (RuntimeException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
  }

  /** A packet socket on {@code index} that reads and writes frames with their virtio_net_hdr. */
  private static int packetSocket(int index) {
    int fd = Libc.packetSocket(index, true);
    try {
      Libc.setsockopt(fd, Libc.SOL_PACKET, PACKET_VNET_HDR, 1);
      return fd;
    } catch (RuntimeException e) {
      Libc.close(fd);
      throw e;
    }
  }

  /** The relay's port on the bridge, in the lab: {@code nsutN} (its peer, where the relay reads and writes, is {@code nsurN}). */
  public String portName() {
    return portName;
  }

  /** Frames passed on so far. */
  public long relayed() {
    return relayed.get();
  }

  /** Frames dropped so far, by loss or by a full socket. */
  public long dropped() {
    return dropped.get();
  }

  private void readLoop() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    ByteBuffer pollfds = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    int[] fds = {packetFd, tapFd};
    try {
      while (!stopping) {
        boolean[] ready = Libc.pollIn(fds, pollfds, POLL_MILLIS);
        if (ready[0]) {
          drain(packetFd, tapFd, fromEndpoint, fromRandom, buffer);
        }
        if (ready[1]) {
          drain(tapFd, packetFd, toEndpoint, toRandom, buffer);
        }
      }
    } catch (RuntimeException e) {
      if (!stopping) {
        throw e;
      }
    }
  }

  private void drain(int fromFd, int toFd, Shaping shaping, Random lossRandom, ByteBuffer buffer) {
    for (int n; (n = Libc.read(fromFd, buffer)) >= 0; ) {
      if (shaping.lossPercent() > 0 && isUnicastIp(buffer, n) && lossRandom.nextDouble() * 100 < shaping.lossPercent()) {
        dropped.incrementAndGet();
        continue;
      }
      long delay = shaping.delay().toNanos();
      long jitter = shaping.jitter().toNanos();
      if (jitter > 0) {
        delay = Math.max(0, delay + (long) ((jitterRandom.nextDouble() * 2 - 1) * jitter));
      }
      if (delay == 0 && queue.isEmpty()) {
        forward(toFd, buffer, n);
        continue;
      }
      byte[] frame = new byte[n];
      buffer.get(0, frame);
      queue.add(new Pending(System.nanoTime() + delay, sequence.incrementAndGet(), toFd, frame));
    }
  }

  /**
   * Whether the frame after the virtio header is an IPv4 or IPv6 unicast: only those are drawn
   * for loss, so the link's own chatter (ARP, neighbour discovery, router solicitations, all of
   * which a namespace sends at its own times) neither vanishes nor shifts a seeded sequence.
   */
  private static boolean isUnicastIp(ByteBuffer frame, int length) {
    if (length < VNET_HDR + 14 || (frame.get(VNET_HDR) & 1) != 0) {
      return false; // too short to be IP, or a group address (broadcast, multicast)
    }
    int type = (frame.get(VNET_HDR + 12) & 0xff) << 8 | (frame.get(VNET_HDR + 13) & 0xff);
    return type == 0x0800 || type == 0x86dd;
  }

  private void sendLoop() {
    ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
    try {
      while (!stopping) {
        Pending p = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
        if (p != null) {
          buffer.put(0, p.frame);
          forward(p.toFd, buffer, p.frame.length);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // close() is stopping us
    } catch (RuntimeException e) {
      if (!stopping) {
        throw e;
      }
    }
  }

  private void forward(int toFd, ByteBuffer buffer, int length) {
    if (Libc.write(toFd, buffer, length) < 0) {
      dropped.incrementAndGet(); // the socket's queue is full: a real link drops too
    } else {
      relayed.incrementAndGet();
    }
  }

  /**
   * Stops the relay: the threads end, the TAP goes, the veth rejoins the bridge with ARP back on.
   * Frames still waiting are dropped. Idempotent.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopping = true;
    sender.interrupt();
    Futures.joinUninterruptibly(reader);
    Futures.joinUninterruptibly(sender);
    FailureCollector failures = new FailureCollector();
    failures.run(() -> Libc.close(tapFd));
    failures.run(() -> Libc.close(packetFd));
    if (!host.isClosed()) {
      failures.run(() -> {
        Rtnetlink rt = host.rtnetlink();
        if (rt.link(portIndex).isPresent()) {
          rt.delete(portIndex); // the pair leaves the bridge and goes
        }
        if (rt.link(vethIndex).isPresent()) {
          rt.setArp(vethIndex, true);
          rt.setMaster(vethIndex, bridgeIndex);
        }
      });
    }
    failures.throwIfAny();
  }

  @Override
  public String toString() {
    return "relay " + portName + " (from the endpoint: " + fromEndpoint + ", to it: " + toEndpoint + ")";
  }
}
