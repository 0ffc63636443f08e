/**
 * In-process netlink: the wire format ({@link dev.nsunit.engine.netlink.MessageBuilder},
 * {@link dev.nsunit.engine.netlink.Message}, {@link dev.nsunit.engine.netlink.Attributes}), a
 * locked request/reply socket ({@link dev.nsunit.engine.netlink.NetlinkSocket}) and the
 * operations per kernel object: links, addresses, routes, neighbours and socket diagnostics.
 *
 * <p>Each operation's Javadoc names its iproute2 equivalent. Kernel constant names are kept
 * verbatim in {@link dev.nsunit.engine.netlink.NetlinkConstants}.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.engine.netlink;
