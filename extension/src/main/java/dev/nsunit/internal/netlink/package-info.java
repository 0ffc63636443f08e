/**
 * In-process netlink: the wire format ({@link dev.nsunit.internal.netlink.MessageBuilder},
 * {@link dev.nsunit.internal.netlink.Message}, {@link dev.nsunit.internal.netlink.Attributes}), a
 * locked request/reply socket ({@link dev.nsunit.internal.netlink.NetlinkSocket}) and the
 * operations per kernel object: links, addresses, routes, neighbours, socket diagnostics, and
 * nf_tables tables, chains and rules ({@link dev.nsunit.internal.netlink.Nftables}).
 *
 * <p>Each operation's Javadoc names its iproute2 equivalent. Kernel constant names are kept
 * verbatim in {@link dev.nsunit.internal.netlink.NetlinkConstants}.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.netlink;
