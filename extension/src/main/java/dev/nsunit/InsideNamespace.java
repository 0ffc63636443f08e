package dev.nsunit;

import dev.nsunit.internal.ns.Netns;
import java.io.Closeable;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Creates sockets on a thread inside a namespace for callers on any thread: a socket belongs to
 * the namespace of the thread that created its descriptor, whichever thread uses it later.
 */
final class InsideNamespace {
  /** Work that makes a socket, or another descriptor, and may fail with an I/O error. */
  @FunctionalInterface
  interface Opener<T extends Closeable> {
    T open() throws IOException;
  }

  private final Netns netns;

  InsideNamespace(Netns netns) {
    this.netns = netns;
  }

  /**
   * Runs {@code opener} on a thread of the namespace and returns what it made. If the caller is
   * interrupted meanwhile, whatever the opener still makes is closed, so no descriptor is left
   * pinning the namespace.
   *
   * @throws IllegalStateException if the namespace is closed
   */
  <T extends Closeable> T open(Opener<T> opener) throws IOException {
    CompletableFuture<T> made = new CompletableFuture<>();
    netns.executor().execute(() -> {
      try {
        made.complete(opener.open());
      } catch (Throwable t) {
        made.completeExceptionally(t);
      }
    });
    try {
      return made.get();
    } catch (InterruptedException e) {
      CompletableFuture<Void> unused = made.thenAccept(InsideNamespace::closeQuietly);
      Thread.currentThread().interrupt();
      InterruptedIOException io = new InterruptedIOException("interrupted while opening a socket in " + netns);
      io.initCause(e);
      throw io;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof IOException io) {
        throw io;
      }
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IOException("opening a socket in " + netns + " failed", cause);
    }
  }

  /**
   * Like {@link #open}, for a socket whose constructor makes no descriptor ({@code new Socket()},
   * {@code new ServerSocket()}): {@code readOption} is then called inside too, since the first
   * option read makes the descriptor, in the namespace of the thread that reads it. The socket is
   * closed if that fails.
   */
  <T extends Closeable> T openWithDescriptor(Opener<T> unconnected, DescriptorForcer<T> readOption) throws IOException {
    return open(() -> {
      T socket = unconnected.open();
      try {
        readOption.force(socket);
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
      return socket;
    });
  }

  /** Reads an option of a socket, which makes its descriptor, e.g. {@code Socket::getReceiveBufferSize}. */
  @FunctionalInterface
  interface DescriptorForcer<T> {
    void force(T socket) throws IOException;
  }

  private static void closeQuietly(Closeable c) {
    try {
      c.close();
    } catch (IOException e) {
      // nobody holds it: nothing else to do
    }
  }

  @Override
  public String toString() {
    return netns.toString();
  }
}
