/**
 * Hooks into the JUnit Platform's launcher that nsunit registers through
 * {@code META-INF/services}: checks that need the whole test plan rather than one test. Not API.
 */
package dev.nsunit.internal.junit;
