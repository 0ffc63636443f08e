/**
 * Not API: the {@link dev.nsunit.NamespaceResolver} that {@code java.util.ServiceLoader} finds
 * for Testcontainers containers. Types here may change in any release.
 */
package dev.nsunit.testcontainers.internal;
