/**
 * Reachability probes that run in the calling thread's network namespace: an ICMP echo of our own
 * (raw ICMP socket, or an unprivileged "ping" socket when raw sockets are not allowed), a TCP
 * connect and a UDP request/response. Failures are mapped from errno to
 * {@link dev.nsunit.model.ProbeResult.Reason}. Run them inside a namespace with
 * {@code NetworkNamespace.call(...)}.
 */
package dev.nsunit.internal.probe;
