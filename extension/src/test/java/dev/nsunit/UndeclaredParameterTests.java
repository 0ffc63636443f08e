package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestPlan;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * A {@code NetworkNamespace} parameter on a test that declares no network mode anywhere (so
 * nsunit's extension is not even registered) gets nsunit's message, not JUnit's generic "No
 * ParameterResolver registered", and it gets it at discovery, before anything runs. Launched
 * through a real {@link Launcher}, as Surefire, Gradle and IDEs do: the check is a launcher
 * {@code PostDiscoveryFilter}, which {@link EngineTestKit} does not apply.
 */
class UndeclaredParameterTests {
  static class NoModeAtAllTestCase {
    @Test
    void m(NetworkNamespace ns) {}
  }

  static class NestedNoModeTestCase {
    @Nested
    class Inner {
      @Test
      void m(NetworkNamespace ns) {}
    }
  }

  @NoNetwork
  static class ModeOnEnclosingTestCase {
    @Nested
    class Inner {
      @Test
      void m(NetworkNamespace ns) {
        assertThat(ns.links()).extracting(l -> l.name()).containsExactly("lo");
      }
    }
  }

  static class LabHostWithoutModeTestCase {
    @Test
    void m(@LabHost NetworkNamespace lab) {
      assertThat(lab.toString()).contains("lab");
      assertThat(lab.isHost()).isFalse();
    }
  }

  /** Someone else's resolver for the type: nsunit stays out of the way. */
  static class OwnResolver implements ParameterResolver {
    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
      return parameter.getParameter().getType() == NetworkNamespace.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
      return NetworkNamespace.host();
    }
  }

  @ExtendWith(OwnResolver.class)
  static class OwnResolverTestCase {
    @Test
    void m(NetworkNamespace ns) {
      ns.close();
    }
  }

  private static TestPlan discover(Class<?> testCase) {
    return LauncherFactory.create().discover(request().selectors(selectClass(testCase)).build());
  }

  private static SummaryGeneratingListener run(Class<?> testCase) {
    SummaryGeneratingListener summary = new SummaryGeneratingListener();
    LauncherFactory.create().execute(request().selectors(selectClass(testCase)).build(), summary);
    return summary;
  }

  @Test
  void aParameterWithNoModeAnywhereFailsTheDiscoveryWithNsunitsMessage() {
    assertThatThrownBy(() -> discover(NoModeAtAllTestCase.class))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessage("NoModeAtAllTestCase.m(): parameter ns of m() is a NetworkNamespace, but the test has no"
            + " network mode. Annotate the test method or class with @NoNetwork, @BridgeNetwork, @HostNetwork or"
            + " @SharedNetworkWith (lifecycle methods such as @BeforeAll get none: use a static endpoint field), or"
            + " mark the parameter @LabHost.");
  }

  @Test
  void soDoesOneInANestedClassWhoseEnclosingClassHasNoMode() {
    assertThatThrownBy(() -> discover(NestedNoModeTestCase.class))
        .isExactlyInstanceOf(ExtensionConfigurationException.class)
        .hasMessageStartingWith("Inner.m(): parameter ns of m() is a NetworkNamespace, but the test has no network mode.");
  }

  @Test
  void aModeOnTheEnclosingClassIsEnough() {
    SummaryGeneratingListener summary = run(ModeOnEnclosingTestCase.class);
    assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(1);
    assertThat(summary.getSummary().getFailures()).isEmpty();
  }

  @Test
  void aLabHostParameterNeedsNoMode() {
    SummaryGeneratingListener summary = run(LabHostWithoutModeTestCase.class);
    assertThat(summary.getSummary().getFailures()).isEmpty();
    assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(1);
  }

  @Test
  void anotherResolverOfTheTypeIsLeftAlone() {
    SummaryGeneratingListener summary = run(OwnResolverTestCase.class);
    assertThat(summary.getSummary().getFailures()).isEmpty();
    assertThat(summary.getSummary().getTestsSucceededCount()).isEqualTo(1);
  }
}
