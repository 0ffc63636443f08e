/**
 * Error-message factories for the nsunit assertions, in AssertJ's style: one final {@code
 * ShouldX} class per kind of failure, with static {@code shouldX(...)} factory methods. Every
 * message says what was expected and what was found, then prints the namespace's state as
 * evidence (see {@link dev.nsunit.assertions.error.Evidence}). Tests compare failures against
 * these factories rather than against copied strings.
 */
package dev.nsunit.assertions.error;
