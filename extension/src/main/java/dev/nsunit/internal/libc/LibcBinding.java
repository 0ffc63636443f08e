package dev.nsunit.internal.libc;

import java.nio.ByteBuffer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;
import jnr.ffi.types.u_int64_t;

/**
 * The raw jnr-ffi binding. Public only because jnr-ffi generates its implementation in another
 * class loader; call {@link Libc} instead, which checks every return value.
 */
public interface LibcBinding {
  @SaveError
  int unshare(int flags);

  @SaveError
  int setns(int fd, int nstype);

  @SaveError
  int mount(String source, String target, String fstype, @u_int64_t long flags, String data);

  @SaveError
  int umount2(String target, int flags);

  @SaveError
  int sethostname(@In byte[] name, @size_t long len);

  @SaveError
  int socket(int domain, int type, int protocol);

  @SaveError
  int bind(int fd, @In ByteBuffer addr, int addrlen);

  @SaveError
  @ssize_t
  long sendto(int fd, @In ByteBuffer buf, @size_t long len, int flags, @In ByteBuffer addr, int addrlen);

  @SaveError
  @ssize_t
  long recvfrom(int fd, @Out ByteBuffer buf, @size_t long len, int flags, @Out ByteBuffer addr,
      @Out IntByReference addrlen);

  @SaveError
  int setsockopt(int fd, int level, int optname, @In ByteBuffer optval, int optlen);

  @SaveError
  int getsockopt(int fd, int level, int optname, @Out ByteBuffer optval, IntByReference optlen);

  @SaveError
  int connect(int fd, @In ByteBuffer addr, int addrlen);

  @SaveError
  int open(String path, int flags);

  @SaveError
  int close(int fd);

  int gettid();

  @SaveError
  @ssize_t
  long readlink(String path, @Out ByteBuffer buf, @size_t long bufsiz);

  /** {@code statx(2)}: its {@code struct statx} has the same layout on every architecture, unlike {@code struct stat}. */
  @SaveError
  int statx(int dirfd, String path, int flags, int mask, @Out ByteBuffer statxbuf);

  /** {@code ioctl(2)} with an integer argument; C declares it variadic, which these ABIs pass like a fixed third argument. */
  @SaveError
  int ioctl(int fd, @u_int64_t long request, @u_int64_t long argument);

  @SaveError
  int getrlimit(int resource, @Out ByteBuffer rlimit);

  @SaveError
  int sched_getaffinity(int pid, @size_t long cpusetsize, @Out ByteBuffer mask);

  @SaveError
  int sched_setaffinity(int pid, @size_t long cpusetsize, @In ByteBuffer mask);

  @SaveError
  int getsockname(int fd, @Out ByteBuffer addr, IntByReference addrlen);

  @SaveError
  int getpeername(int fd, @Out ByteBuffer addr, IntByReference addrlen);

  @SaveError
  @ssize_t
  long pread(int fd, @Out ByteBuffer buf, @size_t long count, long offset);

  @SaveError
  @ssize_t
  long read(int fd, @Out ByteBuffer buf, @size_t long count);

  @SaveError
  @ssize_t
  long write(int fd, @In ByteBuffer buf, @size_t long count);

  /** {@code poll(2)} on an array of {@code struct pollfd} (8 bytes each: fd, events, revents). */
  @SaveError
  int poll(ByteBuffer fds, @u_int64_t long nfds, int timeout);

  /** {@code ioctl(2)} with a pointer to a structure the call reads and may write. */
  @SaveError
  int ioctl(int fd, @u_int64_t long request, ByteBuffer argument);

  @SaveError
  int eventfd(int initval, int flags);
}
