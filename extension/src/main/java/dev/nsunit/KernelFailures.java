package dev.nsunit;

import dev.nsunit.internal.libc.NativeCallException;
import dev.nsunit.internal.netlink.NetlinkException;
import java.util.function.Supplier;

/** Turns the engine's failures into the public {@link KernelException} at the API's edge. */
final class KernelFailures {
  private KernelFailures() {}

  /** Runs {@code action}, rethrowing a failed system call or netlink request as a {@link KernelException}. */
  static <T> T translate(Supplier<T> action) {
    try {
      return action.get();
    } catch (NativeCallException | NetlinkException e) {
      throw translate(e);
    }
  }

  /** The public form of an engine failure; other exceptions are returned unchanged. */
  static RuntimeException translate(RuntimeException e) {
    if (e instanceof NativeCallException n) {

      return new KernelException(n.getMessage(), n.errno(), n.errnoName(), null, n);
    }
    if (e instanceof NetlinkException n) {

      String name = n.errno() == 0 ? "none" : NativeCallException.errnoName(n.errno());
      return new KernelException(n.getMessage(), n.errno(), name, n.kernelMessage(), n);
    }
    return e;
  }
}
