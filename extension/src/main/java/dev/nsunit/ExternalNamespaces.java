package dev.nsunit;

import static dev.nsunit.ModeAnnotations.describe;

import dev.nsunit.NetworkPlan.ExternalField;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Opens the namespace of an object a field holds (a started container) through its resolver. */
final class ExternalNamespaces {
  private ExternalNamespaces() {}

  /**
   * Opens the namespace of {@code external}'s current value for {@code mode}.
   *
   * @param owner the test instance holding the field, or null for a static field
   */
  static NetworkNamespace open(ExternalField external, Mode.Shared mode, Object owner) {
    if (!external.isStatic() && owner == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.endpoint() + "\") on " + mode.where()
          + " names the instance field " + describe(external.field()) + ", which has no test instance here;"
          + " make the field static.");
    }
    Object value;
    try {
      external.field().setAccessible(true);
      value = external.field().get(owner);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExtensionConfigurationException("cannot read " + describe(external.field()) + ": " + e.getMessage(), e);
    }
    if (value == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.endpoint() + "\") on " + mode.where()
          + " names " + describe(external.field()) + ", which is null. Initialize the "
          + external.resolver().kind() + " in its declaration.");
    }
    try {
      NetworkNamespace opened = external.resolver().open(external.name(), value);
      return new NetworkNamespace(opened.netns(), opened.name(), opened.netns(), true, false);
    } catch (IllegalStateException e) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.endpoint() + "\") on " + mode.where()
          + ": " + e.getMessage(), e);
    }
  }
}
