package dev.nsunit.internal.ns;

/**
 * What the parts of a {@link Netns} may ask of it: whether it is still open, and to move a
 * thread inside. Every use after {@link Netns#close()} fails with the same exception,
 * {@link #closed()}, whichever part notices.
 */
interface NamespaceAccess {
  /** Moves the calling thread into the namespace; throws {@link #closed()} once it is closed. */
  void enter();

  /** Throws {@link #closed()} if the namespace is closed. */
  void requireOpen();

  /** The documented failure of a use after close: "network namespace NAME (...) is closed; ...". */
  IllegalStateException closed();
}
