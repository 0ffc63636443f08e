package dev.nsunit.internal.dns;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Where the JVM's resolver (JDK 18 and newer, {@code dev.nsunit.internal.resolver}) learns which
 * names a namespaced thread sees. The extension installs the lookup when it first connects an
 * endpoint; until then no thread is in such a namespace.
 */
public final class NamespaceNames {
  private static volatile Supplier<Optional<Asker>> currentThread = Optional::empty;

  private NamespaceNames() {}

  /** What a thread inside an endpoint's namespace may look up. */
  public interface Asker extends DnsMessage.Answers {
    /** The endpoint, for messages, e.g. {@code network namespace api net:[4026532301]}. */
    String description();

    /** The names the endpoint can look up, per network, for a message about an unknown one. */
    String namesSeen();
  }

  /** Installs the lookup of the calling thread's endpoint. */
  public static void install(Supplier<Optional<Asker>> lookup) {
    currentThread = lookup;
  }

  /** The endpoint whose namespace the calling thread is in, if nsunit answers names there. */
  public static Optional<Asker> ofCurrentThread() {
    return currentThread.get();
  }
}
