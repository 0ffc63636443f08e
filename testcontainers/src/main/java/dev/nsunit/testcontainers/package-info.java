/**
 * Testcontainers interop: {@link dev.nsunit.testcontainers.ContainerNamespaces} opens a running
 * container's network namespace, and {@code @SharedNetworkWith} can name a container field.
 */
package dev.nsunit.testcontainers;
