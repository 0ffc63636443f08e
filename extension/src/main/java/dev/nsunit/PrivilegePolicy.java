package dev.nsunit;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.opentest4j.TestAbortedException;

/**
 * What to do when a scope needs privileges the JVM lacks: fail (the default) or abort, as
 * {@value NsunitProperties#MISSING_PRIVILEGES} says. Checked before anything is built.
 */
final class PrivilegePolicy {
  private PrivilegePolicy() {}

  /** Throws, failing or aborting the scope, if {@code needed} and the JVM lacks the privileges. */
  static void require(ExtensionContext context, boolean needed) {
    if (!needed) {
      return;
    }
    Optional<String> missing = Privileges.missing();
    if (missing.isEmpty()) {
      return;
    }
    String policy = context.getConfigurationParameter(NsunitProperties.MISSING_PRIVILEGES).orElse("fail");
    if (policy.equalsIgnoreCase("abort")) {
      throw new TestAbortedException(missing.get());
    }
    if (!policy.equalsIgnoreCase("fail")) {
      throw new ExtensionConfigurationException(NsunitProperties.MISSING_PRIVILEGES + "=" + policy
          + " is not a valid value; use fail (the default) or abort.");
    }
    throw new ExtensionConfigurationException(missing.get());
  }
}
