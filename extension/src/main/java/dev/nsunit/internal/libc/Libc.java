package dev.nsunit.internal.libc;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import jnr.constants.platform.Errno;
import jnr.ffi.LastError;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import jnr.ffi.byref.IntByReference;

/**
 * Checked wrappers around the libc calls nsunit needs. Each either succeeds or throws
 * {@link NativeCallException} naming the errno, the call and its argument.
 *
 * <p>Buffers passed here must be direct; their position is ignored and the call works on the
 * region starting at index 0.
 */
public final class Libc {
  /** {@code CLONE_NEWNET} from linux/sched.h. */
  public static final int CLONE_NEWNET = 0x40000000;
  /** {@code MS_BIND} from sys/mount.h. */
  public static final long MS_BIND = 4096;
  /** {@code MS_REC} from sys/mount.h. */
  public static final long MS_REC = 16384;
  /** {@code MS_PRIVATE} from sys/mount.h. */
  public static final long MS_PRIVATE = 1L << 18;
  /** {@code MNT_DETACH} from sys/mount.h. */
  public static final int MNT_DETACH = 2;

  public static final int AF_UNIX = 1;
  public static final int AF_INET = 2;
  public static final int AF_INET6 = 10;
  public static final int AF_NETLINK = 16;
  public static final int AF_PACKET = 17;
  public static final int SOCK_STREAM = 1;
  public static final int SOCK_DGRAM = 2;
  public static final int SOCK_RAW = 3;
  public static final int SOCK_CLOEXEC = 0x80000;
  public static final int SOL_SOCKET = 1;
  public static final int SO_SNDBUF = 7;
  public static final int SO_RCVBUF = 8;
  public static final int SO_RCVTIMEO = 20;
  public static final int SO_SNDTIMEO = 21;
  public static final int SO_NETNS_COOKIE = 71;
  public static final int MSG_PEEK = 0x2;
  public static final int MSG_DONTWAIT = 0x40;
  public static final int MSG_TRUNC = 0x20;
  public static final int O_RDONLY = 0;
  public static final int O_CLOEXEC = 0x80000;

  public static final int EINTR = Errno.EINTR.intValue();
  public static final int EAGAIN = Errno.EAGAIN.intValue();

  private static final LibcBinding LIBC = LibraryLoader.create(LibcBinding.class).load("c");
  private static final Runtime RUNTIME = Runtime.getRuntime(LIBC);
  private static final int SCRATCH_SIZE = 256; // also sizeof(struct statx), see fileStatus
  /**
   * Per-thread scratch memory for small option values and paths, so that each setsockopt or
   * readlink does not allocate (and later free, through a Cleaner) a direct buffer of its own.
   */
  private static final ThreadLocal<ByteBuffer> SCRATCH = ThreadLocal.withInitial(
      () -> ByteBuffer.allocateDirect(SCRATCH_SIZE).order(ByteOrder.nativeOrder()));

  private Libc() {}

  private static int errno() {
    return LastError.getLastError(RUNTIME);
  }

  private static NativeCallException failure(String call, String argument) {
    return new NativeCallException(errno(), call, argument);
  }

  /** {@code unshare(flags)} for the calling thread. */
  public static void unshare(int flags) {
    if (LIBC.unshare(flags) != 0) {
      throw failure("unshare", flagName(flags));
    }
  }

  /** Moves the calling thread into the namespace that {@code fd} refers to. */
  public static void setns(int fd, int nstype) {
    if (LIBC.setns(fd, nstype) != 0) {
      throw failure("setns", "fd " + fd + ", " + flagName(nstype));
    }
  }

  /** Opens a socket in the calling thread's network namespace; always close-on-exec. */
  public static int socket(int domain, int type, int protocol) {
    int fd = LIBC.socket(domain, type | SOCK_CLOEXEC, protocol);
    if (fd < 0) {
      throw failure("socket", "domain " + domain + ", type " + type + ", protocol " + protocol);
    }
    return fd;
  }

  /** Binds {@code fd} to the first {@code length} bytes of {@code address}. */
  public static void bind(int fd, ByteBuffer address, int length) {
    if (LIBC.bind(fd, address, length) != 0) {
      throw failure("bind", "fd " + fd);
    }
  }

  /** Connects {@code fd} to the first {@code length} bytes of {@code address}. */
  public static void connect(int fd, ByteBuffer address, int length) {
    if (LIBC.connect(fd, address, length) != 0) {
      throw failure("connect", "fd " + fd);
    }
  }

  /** {@code mount(2)} for the calling thread's mount namespace; null arguments are passed as NULL. */
  public static void mount(String source, String target, String fstype, long flags, String data) {
    if (LIBC.mount(source, target, fstype, flags, data) != 0) {
      throw failure("mount", (source == null ? "" : source + " on ") + target
          + (fstype == null ? "" : " type " + fstype) + ", flags 0x" + Long.toHexString(flags));
    }
  }

  /** {@code umount2(2)} for the calling thread's mount namespace. */
  public static void umount2(String target, int flags) {
    if (LIBC.umount2(target, flags) != 0) {
      throw failure("umount2", target);
    }
  }

  /** Sets the host name of the calling thread's UTS namespace. */
  public static void sethostname(String name) {
    byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
    if (LIBC.sethostname(bytes, bytes.length) != 0) {
      throw failure("sethostname", name);
    }
  }

  /** Sends the first {@code length} bytes of {@code buffer}, retrying on EINTR. */
  public static long send(int fd, ByteBuffer buffer, int length) {
    ByteBuffer from0 = atZero(buffer); // jnr passes a direct buffer's address plus its position
    while (true) {
      long n = LIBC.sendto(fd, from0, length, 0, null, 0);
      if (n >= 0) {
        return n;
      }
      int errno = errno();
      if (errno != EINTR) {
        throw new NativeCallException(errno, "sendto", "fd " + fd + ", " + length + " bytes");
      }
    }
  }

  /**
   * Receives one datagram into {@code buffer}, retrying on EINTR.
   *
   * @return the datagram's real length (which, with {@link #MSG_TRUNC}, may exceed the buffer),
   *     or {@code -1} when the socket's receive timeout expired (EAGAIN)
   */
  public static long receive(int fd, ByteBuffer buffer, int flags) {
    ByteBuffer from0 = atZero(buffer);
    while (true) {
      long n = LIBC.recvfrom(fd, from0, buffer.capacity(), flags, null, null);
      if (n >= 0) {
        return n;
      }
      int errno = errno();
      if (errno == EAGAIN) {
        return -1;
      }
      if (errno != EINTR) {
        throw new NativeCallException(errno, "recvfrom", "fd " + fd);
      }
    }
  }

  private static ByteBuffer atZero(ByteBuffer buffer) {
    if (!buffer.isDirect()) {
      throw new IllegalArgumentException("native calls need a direct buffer");
    }
    return buffer.position() == 0 && buffer.limit() == buffer.capacity() ? buffer : buffer.duplicate().clear();
  }

  /** {@code setsockopt} with a 32-bit integer value. */
  public static void setsockopt(int fd, int level, int option, int value) {
    ByteBuffer v = SCRATCH.get();
    v.putInt(0, value);
    if (LIBC.setsockopt(fd, level, option, v, 4) != 0) {
      throw failure("setsockopt", "fd " + fd + ", level " + level + ", option " + option + " = " + value);
    }
  }

  /** Sets a {@code struct timeval} option such as {@link #SO_RCVTIMEO}. */
  public static void setTimeout(int fd, int option, long millis) {
    ByteBuffer tv = SCRATCH.get();
    tv.putLong(0, millis / 1000);
    tv.putLong(8, (millis % 1000) * 1000);
    if (LIBC.setsockopt(fd, SOL_SOCKET, option, tv, 16) != 0) {
      throw failure("setsockopt", "fd " + fd + ", SOL_SOCKET, option " + option + " = " + millis + " ms");
    }
  }

  /** {@code getsockopt} of a 64-bit value, e.g. {@link #SO_NETNS_COOKIE}. */
  public static long getsockoptLong(int fd, int level, int option) {
    ByteBuffer v = SCRATCH.get();
    IntByReference len = new IntByReference(8);
    if (LIBC.getsockopt(fd, level, option, v, len) != 0) {
      throw failure("getsockopt", "fd " + fd + ", level " + level + ", option " + option);
    }
    return v.getLong(0);
  }

  /** Opens {@code path} read-only and close-on-exec, e.g. a {@code /proc/.../ns/net} file. */
  public static int openReadOnly(String path) {
    int fd = LIBC.open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw failure("open", path);
    }
    return fd;
  }

  /** Closes {@code fd}. EINTR is not retried: on Linux the descriptor is released anyway. */
  public static void close(int fd) {
    if (LIBC.close(fd) != 0) {
      int errno = errno();
      if (errno != EINTR) {
        throw new NativeCallException(errno, "close", "fd " + fd);
      }
    }
  }

  /**
   * The target of the symbolic link {@code path}, e.g. {@code net:[4026531840]} for a
   * {@code /proc/.../ns/net} file. Cheaper than {@code Files.readSymbolicLink} on a hot path.
   */
  public static String readlink(String path) {
    ByteBuffer buf = SCRATCH.get();
    long n = LIBC.readlink(path, buf, SCRATCH_SIZE);
    if (n < 0) {
      throw failure("readlink", path);
    }
    if (n >= SCRATCH_SIZE) {
      throw new NativeCallException(Errno.ENAMETOOLONG.intValue(), "readlink", path + " (target longer than " + SCRATCH_SIZE + " bytes)");
    }
    byte[] bytes = new byte[(int) n];
    buf.get(0, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** The calling thread's kernel thread id. */
  public static int gettid() {
    return LIBC.gettid();
  }

  private static String flagName(int flags) {
    switch (flags) {
      case CLONE_NEWNET:
        return "CLONE_NEWNET";
      case CLONE_NEWNS:
        return "CLONE_NEWNS";
      case CLONE_NEWUTS:
        return "CLONE_NEWUTS";
      default:
        return "0x" + Integer.toHexString(flags);
    }
  }

  // --- ICMP and datagram probes (dev.nsunit.internal.probe) ---

  /** {@code IPPROTO_ICMP} from netinet/in.h. */
  public static final int IPPROTO_ICMP = 1;
  /** {@code IPPROTO_UDP} from netinet/in.h. */
  public static final int IPPROTO_UDP = 17;
  /** {@code IPPROTO_ICMPV6} from netinet/in.h. */
  public static final int IPPROTO_ICMPV6 = 58;
  /** {@code SOL_IP}: the IPv4 socket option level. */
  public static final int SOL_IP = 0;
  /** {@code SOL_IPV6}: the IPv6 socket option level. */
  public static final int SOL_IPV6 = 41;
  /** {@code IP_RECVERR}: report every ICMP error on the socket, not only "hard" ones. */
  public static final int IP_RECVERR = 11;
  /** {@code IPV6_RECVERR}: the IPv6 counterpart of {@link #IP_RECVERR}. */
  public static final int IPV6_RECVERR = 25;
  /** {@code sizeof(struct sockaddr_in)}. */
  public static final int SOCKADDR_IN_LEN = 16;
  /** {@code sizeof(struct sockaddr_in6)}. */
  public static final int SOCKADDR_IN6_LEN = 28;

  /**
   * Encodes {@code struct sockaddr_in} (IPv4) or {@code struct sockaddr_in6} (IPv6) for
   * {@link #connect} and {@link #bind}: the family in native order, the port in network order.
   *
   * @return a direct buffer whose limit is the structure's length
   */
  public static ByteBuffer sockaddr(InetAddress address, int port) {
    boolean v6 = address instanceof Inet6Address;
    ByteBuffer sa = ByteBuffer.allocateDirect(v6 ? SOCKADDR_IN6_LEN : SOCKADDR_IN_LEN).order(ByteOrder.nativeOrder());
    sa.putShort(0, (short) (v6 ? AF_INET6 : AF_INET));
    sa.put(2, (byte) (port >>> 8)).put(3, (byte) port);
    sa.put(v6 ? 8 : 4, address.getAddress()); // sin6_flowinfo (4..7) and sin6_scope_id stay 0
    return sa;
  }

  /**
   * Receives one datagram like {@link #receive}, waiting at most {@code timeoutMillis} (at least
   * 1 ms: a zero SO_RCVTIMEO would mean forever).
   *
   * @return the datagram's length, or {@code -1} if none arrived in time
   */
  public static long receiveWithin(int fd, ByteBuffer buffer, long timeoutMillis) {
    setTimeout(fd, SO_RCVTIMEO, Math.max(1, timeoutMillis));
    return receive(fd, buffer, 0);
  }

  // --- files, namespace files and limits (dev.nsunit.internal.ns, the privilege probe) ---

  /** {@code O_NONBLOCK} from fcntl.h: an open that would wait (a FIFO without writer) returns at once. */
  public static final int O_NONBLOCK = 0x800;
  /**
   * {@code O_PATH} from fcntl.h: a handle on the file itself that opens nothing, so a FIFO does
   * not wait for a writer and a device driver is not called; enough for {@link #fileStatus}.
   */
  public static final int O_PATH = 0x200000;
  /** {@code CLONE_NEWNS}: a mount namespace. */
  public static final int CLONE_NEWNS = 0x20000;
  /** {@code CLONE_NEWCGROUP}: a cgroup namespace. */
  public static final int CLONE_NEWCGROUP = 0x2000000;
  /** {@code CLONE_NEWUTS}: a UTS (host and domain name) namespace. */
  public static final int CLONE_NEWUTS = 0x4000000;
  /** {@code CLONE_NEWIPC}: an IPC namespace. */
  public static final int CLONE_NEWIPC = 0x8000000;
  /** {@code CLONE_NEWUSER}: a user namespace. */
  public static final int CLONE_NEWUSER = 0x10000000;
  /** {@code CLONE_NEWPID}: a PID namespace. */
  public static final int CLONE_NEWPID = 0x20000000;
  /** {@code CLONE_NEWTIME}: a time namespace. */
  public static final int CLONE_NEWTIME = 0x80;
  /** {@code NS_GET_NSTYPE} from linux/nsfs.h, {@code _IO(0xb7, 0x3)}: the CLONE_NEW* type of an nsfs file. */
  public static final int NS_GET_NSTYPE = 0xb703;
  /** {@code RLIMIT_NOFILE} from sys/resource.h (x86_64 and aarch64): the per-process descriptor limit. */
  public static final int RLIMIT_NOFILE = 7;

  private static final int AT_EMPTY_PATH = 0x1000;
  private static final int STATX_TYPE = 0x1;
  private static final int STATX_INO = 0x100;
  // offsets in struct statx (linux/stat.h), the same on every architecture
  private static final int STX_MODE = 0x1c;
  private static final int STX_INO = 0x20;
  private static final int STX_DEV_MAJOR = 0x88;
  private static final int STX_DEV_MINOR = 0x8c;

  /**
   * Opens {@code path} with {@code flags} (always adding {@link #O_CLOEXEC}). Failures name the
   * path alone, as {@link #openReadOnly} does: {@code open(/x) failed: ENOENT (...)}.
   */
  public static int open(String path, int flags) {
    int fd = LIBC.open(path, flags | O_CLOEXEC);
    if (fd < 0) {
      throw failure("open", path);
    }
    return fd;
  }

  /**
   * What {@code fd} refers to: its type, device and inode. Equivalent to {@code fstat(fd)},
   * through {@code statx(fd, "", AT_EMPTY_PATH)}: {@code struct stat} differs between
   * architectures, {@code struct statx} does not, and it accepts {@link #O_PATH} handles.
   */
  public static FileStatus fileStatus(int fd) {
    return statx(fd, "", AT_EMPTY_PATH, "fd " + fd);
  }

  /** Like {@link #fileStatus(int)} for a path, following symbolic links (as {@code stat(path)}). */
  public static FileStatus fileStatus(String path) {
    return statx(-100 /* AT_FDCWD */, path, 0, path);
  }

  private static FileStatus statx(int dirfd, String path, int flags, String argument) {
    ByteBuffer buf = SCRATCH.get(); // SCRATCH_SIZE holds a struct statx
    if (LIBC.statx(dirfd, path, flags, STATX_TYPE | STATX_INO, buf) != 0) {
      throw failure("statx", argument);
    }
    return new FileStatus(Short.toUnsignedInt(buf.getShort(STX_MODE)), buf.getInt(STX_DEV_MAJOR),
        buf.getInt(STX_DEV_MINOR), buf.getLong(STX_INO));
  }

  /**
   * The namespace type of the nsfs file {@code fd}, e.g. {@link #CLONE_NEWNET}. Equivalent to:
   * {@code ioctl(fd, NS_GET_NSTYPE)}. Call it on nsfs files only: other files, device files above
   * all, may give the request number a meaning of their own.
   */
  public static int namespaceType(int fd) {
    int type = LIBC.ioctl(fd, NS_GET_NSTYPE, 0);
    if (type < 0) {
      throw failure("ioctl", "fd " + fd + ", NS_GET_NSTYPE");
    }
    return type;
  }

  /** This process's descriptor limit. Equivalent to: {@code getrlimit(RLIMIT_NOFILE)}; needs no descriptor. */
  public static ResourceLimit openFileLimit() {
    ByteBuffer rlimit = SCRATCH.get();
    if (LIBC.getrlimit(RLIMIT_NOFILE, rlimit) != 0) {
      throw failure("getrlimit", "RLIMIT_NOFILE");
    }
    return new ResourceLimit(rlimit.getLong(0), rlimit.getLong(8));
  }

  // --- socket cookies and CPU affinity (dev.nsunit.internal.escape) ---

  /** {@code SO_COOKIE}: the socket's 64-bit cookie, which sock_diag reports and never reuses. */
  public static final int SO_COOKIE = 57;
  /** {@code SO_RCVBUFFORCE}: like {@link #SO_RCVBUF}, past {@code net.core.rmem_max}; needs CAP_NET_ADMIN. */
  public static final int SO_RCVBUFFORCE = 33;
  /** {@code ENOBUFS}: on a netlink socket, multicast messages were dropped because its buffer was full. */
  public static final int ENOBUFS = Errno.ENOBUFS.intValue();
  /** Bytes of a {@code cpu_set_t} big enough for 1024 CPUs, as glibc's. */
  private static final int CPU_SET_BYTES = 128;

  /**
   * The CPUs the calling thread may run on (on a little-endian machine, where a {@code cpu_set_t}'s
   * bytes number CPUs as a BitSet's do). Equivalent to: {@code taskset -p $TID}.
   */
  public static BitSet cpuAffinity() {
    ByteBuffer mask = ByteBuffer.allocateDirect(CPU_SET_BYTES).order(ByteOrder.nativeOrder());
    if (LIBC.sched_getaffinity(0, CPU_SET_BYTES, mask) < 0) {
      throw failure("sched_getaffinity", "the calling thread");
    }
    return BitSet.valueOf(mask);
  }

  /**
   * Lets the calling thread run only on {@code cpus}. Equivalent to: {@code taskset -p MASK $TID}.
   */
  public static void setCpuAffinity(BitSet cpus) {
    ByteBuffer mask = ByteBuffer.allocateDirect(CPU_SET_BYTES);
    byte[] bits = cpus.toByteArray(); // cpu_set_t is unsigned longs: on a little-endian machine, the same bit order
    if (bits.length > CPU_SET_BYTES) {
      throw new IllegalArgumentException("CPU " + cpus.length() + " is beyond the " + CPU_SET_BYTES * 8 + " CPUs of a cpu_set_t");
    }
    mask.put(0, bits);
    if (LIBC.sched_setaffinity(0, CPU_SET_BYTES, mask) != 0) {
      throw failure("sched_setaffinity", "the calling thread, CPUs " + cpus);
    }
  }

  // --- reading a socket this process holds (dev.nsunit.internal.escape) ---

  /** {@code SO_ACCEPTCONN}: whether the socket listens. */
  public static final int SO_ACCEPTCONN = 30;
  /** {@code SO_PROTOCOL}: the socket's IPPROTO_*. */
  public static final int SO_PROTOCOL = 38;
  /** {@code SO_DOMAIN}: the socket's AF_*. */
  public static final int SO_DOMAIN = 39;
  /** {@code IPPROTO_TCP}, also the socket option level of TCP's options. */
  public static final int IPPROTO_TCP = 6;
  /** {@code TCP_INFO}: {@code struct tcp_info}, whose first byte is the TCP state. */
  public static final int TCP_INFO = 11;
  /** {@code ENOTSOCK}: the descriptor is not a socket. */
  public static final int ENOTSOCK = Errno.ENOTSOCK.intValue();
  /** {@code ENOTCONN}: the socket has no peer. */
  public static final int ENOTCONN = Errno.ENOTCONN.intValue();
  /** {@code EBADF}: no such descriptor (closed meanwhile). */
  public static final int EBADF = Errno.EBADF.intValue();

  /** {@code getsockopt} of a 32-bit integer value, e.g. {@link #SO_DOMAIN}. */
  public static int getsockoptInt(int fd, int level, int option) {
    ByteBuffer v = SCRATCH.get();
    IntByReference len = new IntByReference(4);
    if (LIBC.getsockopt(fd, level, option, v, len) != 0) {
      throw failure("getsockopt", "fd " + fd + ", level " + level + ", option " + option);
    }
    return v.getInt(0);
  }

  /**
   * The address family ({@code SO_DOMAIN}) of the socket {@code fd}, or -1 when {@code fd} is not
   * a socket (ENOTSOCK) or not open (EBADF). Cheap on purpose, for scanning every descriptor of
   * the process: those errors are expected there and make no exception.
   */
  public static int socketFamily(int fd) {
    ByteBuffer v = SCRATCH.get();
    IntByReference len = new IntByReference(4);
    if (LIBC.getsockopt(fd, SOL_SOCKET, SO_DOMAIN, v, len) != 0) {
      int errno = errno();
      if (errno == ENOTSOCK || errno == EBADF) {
        return -1;
      }
      throw new NativeCallException(errno, "getsockopt", "fd " + fd + ", SOL_SOCKET, SO_DOMAIN");
    }
    return v.getInt(0);
  }

  /** The TCP state (TCP_ESTABLISHED, TCP_LISTEN...) of the TCP socket {@code fd}: {@code tcp_info.tcpi_state}. */
  public static int tcpState(int fd) {
    ByteBuffer v = SCRATCH.get();
    IntByReference len = new IntByReference(8); // the kernel copies at most this much of struct tcp_info
    if (LIBC.getsockopt(fd, IPPROTO_TCP, TCP_INFO, v, len) != 0) {
      throw failure("getsockopt", "fd " + fd + ", IPPROTO_TCP, TCP_INFO");
    }
    return v.get(0) & 0xff;
  }

  /** The local address of the inet socket {@code fd} ({@code getsockname}). */
  public static InetSocketAddress localAddress(int fd) {
    ByteBuffer sa = SCRATCH.get();
    IntByReference len = new IntByReference(SOCKADDR_IN6_LEN);
    if (LIBC.getsockname(fd, sa, len) != 0) {
      throw failure("getsockname", "fd " + fd);
    }
    return inetSocketAddress(sa, "getsockname", fd);
  }

  /** The remote address of the inet socket {@code fd} ({@code getpeername}), or {@code null} if it has none (ENOTCONN). */
  public static InetSocketAddress remoteAddress(int fd) {
    ByteBuffer sa = SCRATCH.get();
    IntByReference len = new IntByReference(SOCKADDR_IN6_LEN);
    if (LIBC.getpeername(fd, sa, len) != 0) {
      if (errno() == ENOTCONN) {
        return null;
      }
      throw failure("getpeername", "fd " + fd);
    }
    return inetSocketAddress(sa, "getpeername", fd);
  }

  /**
   * Decodes {@code struct sockaddr_in} or {@code sockaddr_in6}. An IPv4-mapped IPv6 address stays
   * an IPv6 address ({@code ::ffff:127.0.0.1}, as {@code ss} prints it).
   */
  private static InetSocketAddress inetSocketAddress(ByteBuffer sa, String call, int fd) {
    int family = sa.getShort(0) & 0xffff;
    int port = ((sa.get(2) & 0xff) << 8) | (sa.get(3) & 0xff);
    byte[] raw = new byte[family == AF_INET6 ? 16 : 4];
    if (family != AF_INET && family != AF_INET6) {
      throw new IllegalArgumentException(call + "(fd " + fd + ") returned address family " + family + ", not AF_INET or AF_INET6");
    }
    sa.get(family == AF_INET6 ? 8 : 4, raw);
    try {
      InetAddress address = family == AF_INET6 ? Inet6Address.getByAddress(null, raw, -1) : InetAddress.getByAddress(raw);
      return new InetSocketAddress(address, port);
    } catch (UnknownHostException e) {
      throw new AssertionError(e); // unreachable: the length is 4 or 16
    }
  }

  /**
   * Reads up to {@code buffer.capacity()} bytes of {@code fd} from offset 0 into {@code buffer},
   * retrying on EINTR; for a {@code /proc} file, each call regenerates its content.
   *
   * @return the number of bytes read
   */
  public static int preadFromStart(int fd, ByteBuffer buffer) {
    ByteBuffer from0 = atZero(buffer);
    while (true) {
      long n = LIBC.pread(fd, from0, buffer.capacity(), 0);
      if (n >= 0) {
        return (int) n;
      }
      int errno = errno();
      if (errno != EINTR) {
        throw new NativeCallException(errno, "pread", "fd " + fd);
      }
    }
  }

  // --- frames: packet sockets, poll and eventfd (dev.nsunit.internal.frames) ---

  /** {@code SOCK_NONBLOCK} from linux/net.h. */
  public static final int SOCK_NONBLOCK = 0x800;
  /** {@code ETH_P_ALL} from linux/if_ether.h: every protocol, as a packet socket's protocol. */
  public static final int ETH_P_ALL = 0x0003;
  /** {@code SOL_PACKET} from linux/socket.h. */
  public static final int SOL_PACKET = 263;
  /** {@code PACKET_IGNORE_OUTGOING} from linux/if_packet.h: a packet socket does not see what its link sends. */
  public static final int PACKET_IGNORE_OUTGOING = 23;
  /** {@code POLLIN} from poll.h. */
  public static final short POLLIN = 0x1;

  /** {@code ioctl(fd, request, argument)} with an integer argument. */
  public static void ioctl(int fd, long request, long argument) {
    if (LIBC.ioctl(fd, request, argument) != 0) {
      throw failure("ioctl", "fd " + fd + ", request 0x" + Long.toHexString(request) + ", " + argument);
    }
  }

  /**
   * Opens a non-blocking packet socket (AF_PACKET, SOCK_RAW, every protocol) bound to the link
   * {@code ifindex} of the calling thread's network namespace: it receives every frame the link
   * receives and, unless {@code ignoreOutgoing}, every frame it sends; {@link #send} on it sends a
   * whole Ethernet frame out of the link.
   */
  public static int packetSocket(int ifindex, boolean ignoreOutgoing) {
    int fd = packetSocketIdle();
    try {
      bindPacketSocket(fd, ifindex, ignoreOutgoing);
      return fd;
    } catch (RuntimeException e) {
      close(fd);
      throw e;
    }
  }

  /**
   * Opens a non-blocking packet socket for no protocol, in the calling thread's network namespace:
   * it receives nothing until {@link #bindPacketSocket}, which any thread may call later.
   */
  public static int packetSocketIdle() {
    return socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, 0);
  }

  /** Binds a packet socket to every protocol on {@code ifindex} (0: every link): see {@link #packetSocket}. */
  public static void bindPacketSocket(int fd, int ifindex, boolean ignoreOutgoing) {
    int protocol = Short.toUnsignedInt(Short.reverseBytes((short) ETH_P_ALL)); // htons
    if (ignoreOutgoing) {
      setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
    }
    ByteBuffer ll = ByteBuffer.allocateDirect(20).order(ByteOrder.nativeOrder());
    ll.putShort(0, (short) AF_PACKET);
    ll.putShort(2, (short) protocol);
    ll.putInt(4, ifindex);
    bind(fd, ll, 20);
  }

  /**
   * Reads once from {@code fd} into {@code buffer} from index 0, retrying on EINTR.
   *
   * @return the number of bytes read, or {@code -1} if a non-blocking {@code fd} had nothing (EAGAIN)
   */
  public static int read(int fd, ByteBuffer buffer) {
    ByteBuffer from0 = atZero(buffer);
    while (true) {
      long n = LIBC.read(fd, from0, buffer.capacity());
      if (n >= 0) {
        return (int) n;
      }
      int errno = errno();
      if (errno == EAGAIN) {
        return -1;
      }
      if (errno != EINTR) {
        throw new NativeCallException(errno, "read", "fd " + fd);
      }
    }
  }

  /**
   * Writes the first {@code length} bytes of {@code buffer} to {@code fd} in one call, retrying on EINTR.
   *
   * @return the number of bytes written, or {@code -1} if a non-blocking {@code fd} was full (EAGAIN)
   */
  public static int write(int fd, ByteBuffer buffer, int length) {
    ByteBuffer from0 = atZero(buffer);
    while (true) {
      long n = LIBC.write(fd, from0, length);
      if (n >= 0) {
        return (int) n;
      }
      int errno = errno();
      if (errno == EAGAIN) {
        return -1;
      }
      if (errno != EINTR) {
        throw new NativeCallException(errno, "write", "fd " + fd + ", " + length + " bytes");
      }
    }
  }

  /**
   * Waits up to {@code timeoutMillis} until one of {@code fds} has something to read.
   *
   * @param pollfds a direct buffer of at least {@code 8 * fds.length} bytes, reused between calls
   * @return for each descriptor, whether it is readable (or has an error or hang-up to report)
   */
  public static boolean[] pollIn(int[] fds, ByteBuffer pollfds, int timeoutMillis) {
    for (int i = 0; i < fds.length; i++) {
      pollfds.putInt(8 * i, fds[i]).putShort(8 * i + 4, POLLIN).putShort(8 * i + 6, (short) 0);
    }
    boolean[] ready = new boolean[fds.length];
    int n = LIBC.poll(atZero(pollfds), fds.length, timeoutMillis);
    if (n < 0) {
      int errno = errno();
      if (errno == EINTR) {
        return ready;
      }
      throw new NativeCallException(errno, "poll", fds.length + " descriptors");
    }
    for (int i = 0; i < fds.length && n > 0; i++) {
      ready[i] = pollfds.getShort(8 * i + 6) != 0;
    }
    return ready;
  }

  /** {@code EFD_NONBLOCK} from sys/eventfd.h. */
  public static final int EFD_NONBLOCK = 0x800;
  /** {@code EFD_CLOEXEC} from sys/eventfd.h. */
  public static final int EFD_CLOEXEC = 0x80000;

  /** A non-blocking, close-on-exec eventfd: a counter that {@link #pollIn} sees as readable once written. */
  public static int eventfd() {
    int fd = LIBC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd < 0) {
      throw failure("eventfd", "0, EFD_NONBLOCK | EFD_CLOEXEC");
    }
    return fd;
  }
}
