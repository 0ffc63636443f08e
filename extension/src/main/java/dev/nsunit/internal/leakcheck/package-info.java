/**
 * The opt-in leak check: a JUnit Platform listener that fails the run when the tests left
 * namespaces, links, processes, descriptors or threads behind, or changed the real host.
 */
package dev.nsunit.internal.leakcheck;
