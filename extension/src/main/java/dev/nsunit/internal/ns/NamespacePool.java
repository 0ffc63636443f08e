package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.netlink.LinkRequest;
import dev.nsunit.internal.netlink.Rtnetlink;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Namespaces built ahead of time, so that a test does not wait for the kernel to make one. Two
 * kinds: blank namespaces ({@code lo} up), which {@link Netns#create} hands out, and bridge ports
 * (a namespace whose {@code eth0} is a veth already plugged into a lab bridge and up on the lab
 * side, still down and without an address inside), which {@link Lab#attach} hands out and then
 * configures: MAC, address and routes are given when taken, so addresses still come in Docker's
 * order.
 *
 * <p><b>Creation.</b> Nothing is built until the first namespace is asked for. Each take (and each
 * miss) asks the namespace maker ({@link NamespaceThreads}) to top the pool up, one namespace per
 * background job, behind any caller that waits for the maker. A bridge gets ports of its own
 * after its first attach.
 *
 * <p><b>Size.</b> At most {@link #size()} blank namespaces, and as many ports per bridge;
 * {@code 0} switches the pool off. Set by the {@code nsunit.pool.size} system property or
 * configuration parameter ({@value #DEFAULT_SIZE} by default).
 *
 * <p><b>Cleanup.</b> Everything pooled is held by descriptors only (a namespace fd and an
 * rtnetlink socket), so a killed JVM leaves nothing. When the maker ends after its idle second,
 * the pool closes what it holds; the kernel then removes the namespaces and their veth pairs,
 * lazily. {@link #drain()} does the same at once.
 *
 * <p><b>Threads.</b> Safe for any number of test threads; the pool's own work runs on the maker.
 */
public final class NamespacePool {
  /** The pool size when nothing says otherwise. */
  public static final int DEFAULT_SIZE = 8;
  /** The system property (and JUnit configuration parameter) that sets the size. */
  public static final String SIZE_PROPERTY = "nsunit.pool.size";
  /** The MTU of pooled ports: Docker's default, which is what {@code @BridgeNetwork} asks for unless told otherwise. */
  static final int PORT_MTU = 1500;

  private static final NamespacePool SHARED = new NamespacePool(sizeFromProperty());

  static {
    NamespaceThreads.onIdle(SHARED::drain);
  }

  /** A namespace whose eth0 is a port of a lab bridge, not yet configured. */
  record Port(Netns.Opened namespace, String labVeth, int labVethIndex, int eth0Index) {}

  /** The bridge a port pool serves: a bridge ifindex in one lab host's namespace. */
  private record BridgeKey(Netns labHost, int bridgeIndex) {}

  private final Object lock = new Object();
  private final ArrayDeque<Netns.Opened> blanks = new ArrayDeque<>(); // guarded by lock
  private final Map<BridgeKey, ArrayDeque<Port>> ports = new HashMap<>(); // guarded by lock
  private int size; // guarded by lock
  private int building; // guarded by lock: background jobs queued or running
  private long generation; // guarded by lock: drain() starts a new one; what older jobs build is closed
  private long hits; // guarded by lock
  private long misses; // guarded by lock

  NamespacePool(int size) {
    this.size = size;
  }

  /** The JVM's pool. */
  public static NamespacePool shared() {
    return SHARED;
  }

  private static int sizeFromProperty() {
    String v = System.getProperty(SIZE_PROPERTY);
    if (v == null || v.isBlank()) {
      return DEFAULT_SIZE;
    }
    return parseSize(v, "system property " + SIZE_PROPERTY);
  }

  /**
   * Parses a pool size.
   *
   * @throws IllegalArgumentException naming {@code source} if {@code value} is not a number from 0 to 64
   */
  public static int parseSize(String value, String source) {
    try {
      int n = Integer.parseInt(value.trim());
      if (n >= 0 && n <= 64) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(source + " is \"" + value + "\", but the namespace pool size must be a whole"
        + " number from 0 (no pool) to 64; the default is " + DEFAULT_SIZE);
  }

  /** How many namespaces of each kind the pool keeps ready. */
  public int size() {
    synchronized (lock) {
      return size;
    }
  }

  /** Changes the size; {@code 0} closes everything pooled now and switches the pool off. */
  public void resize(int newSize) {
    if (newSize < 0) {
      throw new IllegalArgumentException("pool size " + newSize + " < 0");
    }
    boolean empty;
    synchronized (lock) {
      if (size == newSize) {
        return;
      }
      size = newSize;
      empty = newSize == 0;
    }
    if (empty) {
      drain();
    }
  }

  /** How many takes found a namespace ready, and how many did not: {@code [hits, misses]}. */
  public long[] stats() {
    synchronized (lock) {
      return new long[] {hits, misses};
    }
  }

  /** How many namespaces the pool holds right now, of both kinds. */
  public int held() {
    synchronized (lock) {
      int n = blanks.size();
      for (ArrayDeque<Port> q : ports.values()) {
        n += q.size();
      }
      return n;
    }
  }

  /**
   * The inode of the namespace new namespaces are made from (empty, kept for the JVM's lifetime;
   * see {@code NamespaceThreads}), or -1 if there is none (yet).
   */
  public static long nurseryInode() {
    return NamespaceThreads.nurseryInode();
  }

  /** The inodes of the namespaces the pool holds now (a leak check leaves them out). */
  public List<Long> heldInodes() {
    List<Long> out = new ArrayList<>();
    synchronized (lock) {
      for (Netns.Opened o : blanks) {
        out.add(inode(o));
      }
      for (ArrayDeque<Port> q : ports.values()) {
        for (Port p : q) {
          out.add(inode(p.namespace()));
        }
      }
    }
    return out;
  }

  private static long inode(Netns.Opened o) {
    try {
      return Libc.fileStatus(o.fd()).inode();
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** A blank namespace with lo up, or null if none is ready (then the caller makes one, and the pool refills). */
  Netns.Opened takeBlank() {
    return take(blanks::poll);
  }

  /**
   * A namespace whose eth0 is a port of bridge {@code bridgeIndex} in {@code labHost}, or null if
   * none is ready; the first call for a bridge starts its ports.
   */
  Port takePort(Netns labHost, int bridgeIndex) {
    return take(() -> ports.computeIfAbsent(new BridgeKey(labHost, bridgeIndex), k -> new ArrayDeque<>()).poll());
  }

  /** Takes what {@code poll} finds (under the lock), counts a hit or a miss, and tops the pool up. */
  private <T> T take(Supplier<T> poll) {
    T taken;
    synchronized (lock) {
      if (size == 0) {
        return null;
      }
      taken = poll.get();
      if (taken != null) {
        hits++;
      } else {
        misses++;
      }
    }
    refill();
    return taken;
  }

  /** Queues one background job if the pool is short of something and none is queued yet. */
  private void refill() {
    long g;
    synchronized (lock) {
      if (building > 0 || nextWanted() == null) {
        return;
      }
      building++;
      g = generation;
    }
    NamespaceThreads.inNewNamespaceLater(() -> Netns.Opened.prepared("/proc/thread-self/ns/net"),
        (made, failure) -> built(made, failure, g));
  }

  /** What to build next: {@code BLANK} for a blank namespace, a bridge for a port, or null when full. */
  private Object nextWanted() {
    if (blanks.size() < size) {
      return BLANK;
    }
    for (Map.Entry<BridgeKey, ArrayDeque<Port>> e : ports.entrySet()) {
      if (e.getValue().size() < size && !e.getKey().labHost().isClosed()) {
        return e.getKey();
      }
    }
    return null;
  }

  private static final Object BLANK = new Object();

  /** On the maker, back in the startup namespace: a new namespace is ready; find it a place. */
  private void built(Netns.Opened made, Throwable failure, long madeIn) {
    if (failure != null) {
      if (made != null) {
        made.close();
      }
      synchronized (lock) {
        building--;
      }
      return; // the next take tries again; a take that misses builds its own and reports the error
    }
    Object want;
    synchronized (lock) {
      // drained since the job was queued: nobody asked for more, so the chain of refills ends here
      want = madeIn == generation ? nextWanted() : null;
    }
    Object ready = null;
    try {
      if (want != null) {
        made.rt().setUp(1, true);
        ready = want instanceof BridgeKey key ? plumb(made, key) : made;
      }
    } catch (RuntimeException e) {
      ready = null; // closed below, with the veth if one was made; the next take tries again
    }
    boolean kept = false;
    boolean again;
    synchronized (lock) {
      building--;
      boolean current = madeIn == generation && size > 0;
      if (current && ready instanceof Port p && ports.containsKey((BridgeKey) want)) {
        kept = ports.get((BridgeKey) want).add(p);
      } else if (current && ready == made && blanks.size() < size) {
        kept = blanks.add(made);
      }
      again = current && nextWanted() != null;
    }
    if (!kept) {
      made.close(); // no longer wanted (resized, drained) or could not be made ready
    }
    if (again) {
      refill();
    }
  }

  /** Plugs a veth into the bridge, its peer eth0 in {@code made}: one request in the lab, one lookup each side. */
  private static Port plumb(Netns.Opened made, BridgeKey key) {
    String labVeth = Lab.nextVethName();
    Rtnetlink lab = key.labHost().rtnetlink();
    lab.add(LinkRequest.veth(labVeth, "eth0", made.fd()).master(key.bridgeIndex()).mtu(PORT_MTU).up());
    return new Port(made, labVeth, lab.indexOf(labVeth), made.rt().indexOf("eth0"));
  }

  /** Closes everything pooled now; the pool fills again on the next take. */
  public void drain() {
    List<Netns.Opened> out = new ArrayList<>();
    synchronized (lock) {
      generation++;
      out.addAll(blanks);
      blanks.clear();
      for (ArrayDeque<Port> q : ports.values()) {
        for (Port p : q) {
          out.add(p.namespace());
        }
      }
      ports.clear();
    }
    for (Netns.Opened o : out) {
      try {
        o.close();
      } catch (RuntimeException e) {
        // a descriptor that will not close is gone anyway for the pool; nothing else holds it
      }
    }
  }
}
