package dev.nsunit;

/**
 * The JUnit Platform configuration parameters nsunit reads (set them in
 * {@code junit-platform.properties}, as Surefire {@code configurationParameters}, or as system
 * properties).
 */
public final class NsunitProperties {
  private NsunitProperties() {}

  /**
   * What to do when the JVM lacks the privileges to create namespaces: {@code fail} (the default:
   * the test fails with a message saying how to get them) or {@code abort} (the test is skipped
   * with that message).
   */
  public static final String MISSING_PRIVILEGES = "nsunit.privileges.missing";
}
