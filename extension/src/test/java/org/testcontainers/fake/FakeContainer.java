package org.testcontainers.fake;

/**
 * Stands in for a Testcontainers type (recognised by its package) in a module where
 * nsunit-testcontainers is absent, to test the "add the dependency" message.
 */
public class FakeContainer {}
