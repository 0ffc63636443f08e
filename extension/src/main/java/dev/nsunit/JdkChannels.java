package dev.nsunit;

import dev.nsunit.internal.ns.Netns;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Makes the JDK open its once-per-JVM descriptors for NIO in the JVM's own namespace. Since
 * JDK 21 the class behind channel closing (sun.nio.ch.UnixDispatcher) creates a Unix-domain
 * socket pair when it is first used, and keeps one end open for the JVM's lifetime; a socket
 * belongs to the namespace of the thread that made it, so if the first channel of the JVM is
 * closed inside a test's namespace (an HTTP server or client started there), that namespace, and
 * a bridge endpoint's veth, stay alive until the JVM exits. Opening and closing one pipe on a
 * thread in the JVM's own namespace, before any namespace is made, settles that.
 */
final class JdkChannels {
  private static final AtomicBoolean DONE = new AtomicBoolean();

  private JdkChannels() {}

  /** Once per JVM; best effort: a failure here only leaves the JDK's behaviour as it was. */
  static void initialize() {
    if (!DONE.compareAndSet(false, true)) {
      return;
    }
    try (Netns host = Netns.host()) {
      host.call(JdkChannels::openAndClosePipe);
    } catch (Exception e) {
      // without it, the first namespace that closes a channel may stay pinned: not worth failing for
    }
  }

  private static Void openAndClosePipe() throws IOException {
    Pipe pipe = Pipe.open();
    pipe.sink().close();
    pipe.source().close();
    return null;
  }
}
