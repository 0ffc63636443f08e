package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.testing.Shell;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Without CAP_SYS_ADMIN / CAP_NET_ADMIN the extension fails (or, if configured, aborts) with one
 * message saying how to get them. Proven in a child JVM whose capability bounding set lacks both
 * (setpriv), so the probe reads a real /proc/self/status.
 */
class MissingPrivilegesTests {

  @NoNetwork
  static class NeedsANamespaceTestCase {
    @Test
    void m(NetworkNamespace ns) {}
  }

  /** Read-only inspection of the JVM's own namespace needs no privileges (setns is skipped). */
  @HostNetwork
  static class InspectsTheHostTestCase {
    @Test
    void m(NetworkNamespace host) {
      assertThat(host.links()).anyMatch(l -> l.name().equals("lo"));
      assertThat(host.sockets()).isNotNull();
    }
  }

  /** Entry point for the child JVM: runs the fixtures under both policies and prints the outcome. */
  public static void main(String[] args) {
    EngineTestKit.engine("junit-jupiter").selectors(selectClass(InspectsTheHostTestCase.class)).execute().testEvents()
        .stream().filter(e -> e.getPayload(TestExecutionResult.class).isPresent()).forEach(e -> {
          TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
          System.out.println("host|" + r.getStatus() + "|" + r.getThrowable().map(Throwable::toString).orElse(""));
        });
    for (String policy : new String[] {"fail", "abort"}) {
      Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(NeedsANamespaceTestCase.class))
          .configurationParameter(NsunitProperties.MISSING_PRIVILEGES, policy).execute().testEvents();
      events.stream().filter(e -> e.getPayload(TestExecutionResult.class).isPresent()).forEach(e -> {
        TestExecutionResult r = e.getRequiredPayload(TestExecutionResult.class);
        Throwable t = r.getThrowable().orElse(null);
        System.out.println(policy + "|" + r.getStatus() + "|" + (t == null ? "" : t.getClass().getSimpleName() + "|" + t.getMessage()));
      });
    }
  }

  @Test
  void thisJvmHasThePrivileges() {
    assertThat(Privileges.missing()).isEmpty();
  }

  @Test
  void withoutCapabilitiesTheTestFailsOrAbortsWithOneMessageThatSaysHowToFixIt() {
    // Host inspection still works there: it is the one mode that needs no privileges.
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String out = Shell.run("setpriv", "--bounding-set", "-sys_admin,-net_admin", "--inh-caps", "-all",
        java, "-cp", System.getProperty("java.class.path"), MissingPrivilegesTests.class.getName());
    String expected = "nsunit needs CAP_SYS_ADMIN and CAP_NET_ADMIN to create network namespaces, but this JVM"
        + " (uid 0) lacks CAP_SYS_ADMIN and CAP_NET_ADMIN. Run the tests as root, or without root through nsunit's"
        + " rootless launcher: add the rootless block from README \"Rootless\" to your pom.xml (it unpacks"
        + " dev.nsunit:nsunit-rootless and sets Surefire's <jvm>${project.build.directory}/nsunit-rootless/bin/java</jvm>)"
        + " and run mvn -Prootless test. To skip such tests instead of failing them, set nsunit.privileges.missing=abort.";
    assertThat(out.lines()).containsExactly(
        "host|SUCCESSFUL|",
        "fail|FAILED|ExtensionConfigurationException|" + expected,
        "abort|ABORTED|TestAbortedException|" + expected);
  }
}
