/**
 * Namespaces held by file descriptors only, and the threads that run inside them.
 *
 * <p>Linux switches network namespaces per thread. nsunit never moves a caller's thread: it runs
 * namespaced work on platform threads of its own that join the namespace first
 * ({@link dev.nsunit.internal.ns.Netns#threadFactory()}), and opens each namespace's netlink sockets
 * from such a thread, after which they work from any thread.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.ns;
