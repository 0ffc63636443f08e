/**
 * The lab's embedded DNS server, like Docker's at 127.0.0.11: one UDP socket per endpoint on a
 * user-defined network, served by one selector thread.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.dns;
