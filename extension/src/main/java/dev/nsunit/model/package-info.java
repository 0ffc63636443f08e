/**
 * Immutable value types describing what is in a network namespace: {@link dev.nsunit.model.Link},
 * {@link dev.nsunit.model.Address}, {@link dev.nsunit.model.Route},
 * {@link dev.nsunit.model.Neighbour}, {@link dev.nsunit.model.InetSocket} and a whole
 * {@link dev.nsunit.model.NetworkSnapshot}. Each {@code toString()} reads like the matching
 * iproute2 output, so failure messages can show them as evidence.
 *
 * <p>This package depends on nothing but the JDK; the assertions module builds on it.
 */
package dev.nsunit.model;
