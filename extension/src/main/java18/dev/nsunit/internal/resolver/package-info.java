/**
 * The JVM's host name resolver on JDK 18 and newer ({@link java.net.spi.InetAddressResolverProvider}):
 * endpoints' names for threads inside their namespaces, the JDK's own resolver for every other
 * thread. Compiled only by a JDK 18 or newer, into {@code META-INF/versions/18} of the jar.
 *
 * <p>Internal: not part of nsunit's public API.
 */
package dev.nsunit.internal.resolver;
