/**
 * The only place that binds libc. Every wrapper checks the return value and throws
 * {@link dev.nsunit.internal.libc.NativeCallException} carrying the errno name, the syscall and its
 * argument; no raw {@code -1} ever leaves this package.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.libc;
