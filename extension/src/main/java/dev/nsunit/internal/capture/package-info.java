/**
 * In-process packet capture into bounded rings, written as pcap files only when asked.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.capture;
