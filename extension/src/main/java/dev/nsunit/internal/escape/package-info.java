/**
 * Escape detection: notices TCP and UDP sockets that this JVM opens in a watched network namespace
 * (the JVM's own) while a window is open (a namespaced test's body runs), for code that ran on a
 * thread outside the test's namespace. It reads sock_diag dumps, the sock_diag destroy multicast
 * groups and {@code /proc/self/fd}; {@link dev.nsunit.internal.escape.EscapeMonitor} says how a
 * socket is attributed to this JVM and where that stops.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.escape;
