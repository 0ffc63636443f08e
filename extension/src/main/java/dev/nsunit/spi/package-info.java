/**
 * Service-provider interfaces: how other modules (such as nsunit-testcontainers) plug namespaces
 * of their own objects into the JUnit extension.
 */
package dev.nsunit.spi;
