package dev.nsunit.internal.ns;

import dev.nsunit.internal.libc.Libc;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * What an endpoint's processes see besides its network: a host name of their own (a UTS
 * namespace) and their own {@code /etc/hosts}, {@code /etc/hostname} and {@code /etc/resolv.conf}
 * (a mount namespace in which those files are bind-mounted, as Docker does for a container).
 * Both namespaces are held by descriptors only, so they end with the view or the JVM.
 *
 * <p>The JVM's own mount and UTS namespaces are never changed: the view is built on a
 * short-lived thread of its own that unshares both, makes every mount private (so that nothing
 * propagates back to the host), sets the host name, mounts a tmpfs over {@code /tmp} only long
 * enough to write the files and bind them onto {@code /etc}, and then ends. The view's mount
 * namespace is a copy of the JVM's at that moment: mounts made on the host later are not in it.
 */
public final class ProcessView implements AutoCloseable {
  private static final String SCRATCH = "/tmp";

  private final String hostname;
  private final int mountFd;
  private final int utsFd;
  private boolean closed; // guarded by this

  private ProcessView(String hostname, int mountFd, int utsFd) {
    this.hostname = hostname;
    this.mountFd = mountFd;
    this.utsFd = utsFd;
  }

  /**
   * Builds a view: the host name, and the files, by name under {@code /etc} (e.g. {@code hosts})
   * with their content.
   *
   * @throws dev.nsunit.internal.libc.NativeCallException if the kernel refuses (no CAP_SYS_ADMIN)
   */
  public static ProcessView create(String hostname, Map<String, String> etcFiles) {
    Map<String, String> files = new LinkedHashMap<>(etcFiles);
    CompletableFuture<ProcessView> made = new CompletableFuture<>();
    Thread t = new Thread(() -> {
      try {
        made.complete(build(hostname, files));
      } catch (Throwable e) {
        made.completeExceptionally(e);
      }
    }, "nsunit-view-" + hostname);
    t.setDaemon(true);
    t.start();
    try {
      return Futures.getUninterruptibly(made);
    } catch (ExecutionException e) {
      Rethrow.ifUncheckedOr(e.getCause(), RuntimeException.class);
      throw new IllegalStateException("cannot build the process view of " + hostname, e.getCause());
    } finally {
      Futures.joinUninterruptibly(t); // the thread holds the new namespaces until it ends
    }
  }

  /** On the view's own thread, which ends right after: nothing needs undoing on it. */
  private static ProcessView build(String hostname, Map<String, String> files) throws IOException {
    Libc.unshare(Libc.CLONE_NEWNS | Libc.CLONE_NEWUTS);
    Libc.mount(null, "/", null, Libc.MS_REC | Libc.MS_PRIVATE, null);
    Libc.sethostname(hostname);
    Libc.mount("nsunit", SCRATCH, "tmpfs", 0, "size=1m,mode=700");
    try {
      for (Map.Entry<String, String> f : files.entrySet()) {
        Path source = Path.of(SCRATCH, f.getKey());
        Files.writeString(source, f.getValue(), StandardCharsets.UTF_8);
        Libc.mount(source.toString(), "/etc/" + f.getKey(), null, Libc.MS_BIND, null);
      }
    } finally {
      Libc.umount2(SCRATCH, Libc.MNT_DETACH); // the bind mounts keep the files; /tmp is the host's again
    }
    int mnt = Libc.openReadOnly("/proc/thread-self/ns/mnt");
    try {
      return new ProcessView(hostname, mnt, Libc.openReadOnly("/proc/thread-self/ns/uts"));
    } catch (RuntimeException e) {
      Libc.close(mnt);
      throw e;
    }
  }

  /** The host name the view's processes see. */
  public String hostname() {
    return hostname;
  }

  /** The options that make {@code nsenter} enter the view, with the descriptors' /proc paths. */
  synchronized List<String> nsenterOptions() {
    if (closed) {
      throw new IllegalStateException("the process view of " + hostname + " is closed");
    }
    String fds = "/proc/" + ProcessHandle.current().pid() + "/fd/";
    return List.of("--mount=" + fds + mountFd, "--uts=" + fds + utsFd);
  }

  /** Closes both descriptors; the namespaces end with the last process in them. Idempotent. */
  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      Libc.close(mountFd);
      Libc.close(utsFd);
    }
  }
}
