package dev.nsunit;

/**
 * A network fault in effect until it is healed: made by {@link Faults}, undone by
 * {@link #close()}, and undone anyway when the scope of an endpoint it touches ends (its
 * namespace's release heals it first). Everything a fault changes lives inside the endpoints'
 * own namespaces or the lab's (a link's state, nf_tables rules, qdiscs, a relay's veth pair),
 * which all die with the JVM, so a JVM killed mid-fault leaves nothing.
 */
public interface Fault extends AutoCloseable {
  /** What the fault does, e.g. {@code partition web -> db (drop)}. */
  String description();

  /** Whether {@link #close()} has run. */
  boolean isHealed();

  /** Heals the fault now: the link comes back up, the rules go. Idempotent. */
  @Override
  void close();
}
