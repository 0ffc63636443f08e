package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import dev.nsunit.testing.Rootless;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.platform.testkit.engine.EngineTestKit;

/**
 * The capability probe and its advice, fed fake {@code /proc} trees: a non-root JVM started
 * without the launcher, and kernels that refuse unprivileged user namespaces by sysctl or by
 * AppArmor. (MissingPrivilegesTests proves the same message end to end in a real child JVM.)
 */
class PrivilegesTests {
  private static final String ALL_CAPS = "000001ffffffffff";
  private static final String NO_CAPS = "0000000000000000";
  private static final String LAUNCHER_ADVICE = "nsunit needs CAP_SYS_ADMIN and CAP_NET_ADMIN to create network"
      + " namespaces, but this JVM (uid 1000) lacks CAP_SYS_ADMIN and CAP_NET_ADMIN. Run the tests as root,"
      + " or without root through nsunit's rootless launcher: add the rootless block from README \"Rootless\""
      + " to your pom.xml (it unpacks dev.nsunit:nsunit-rootless and sets Surefire's"
      + " <jvm>${project.build.directory}/nsunit-rootless/bin/java</jvm>) and run mvn -Prootless test.";
  private static final String SKIP_ADVICE = " To skip such tests instead of failing them, set"
      + " nsunit.privileges.missing=abort.";

  @TempDir Path proc;

  @Test
  void aJvmWithBothCapabilitiesLacksNothing() throws IOException {
    status(0, ALL_CAPS);
    sysctl("sys/kernel/apparmor_restrict_unprivileged_userns", "1"); // irrelevant once privileged

    assertThat(Privileges.missing(proc)).isEmpty();
  }

  @Test
  void aNonRootJvmWithoutTheLauncherIsToldToUseIt() throws IOException {
    status(1000, NO_CAPS);
    sysctl("sys/user/max_user_namespaces", "63488");

    assertThat(Privileges.missing(proc)).contains(LAUNCHER_ADVICE + SKIP_ADVICE);
  }

  @Test
  void theMessageNamesTheOneCapabilityThatIsMissing() throws IOException {
    status(1000, Long.toHexString(1L << 21)); // CAP_SYS_ADMIN only

    assertThat(Privileges.missing(proc)).hasValueSatisfying(m -> assertThat(m)
        .contains("(uid 1000) lacks CAP_NET_ADMIN.").doesNotContain("lacks CAP_SYS_ADMIN"));
  }

  @Test
  void debiansSysctlThatTurnsUnprivilegedUserNamespacesOffIsNamedWithItsFix() throws IOException {
    status(1000, NO_CAPS);
    sysctl("sys/kernel/unprivileged_userns_clone", "0");

    assertThat(Privileges.missing(proc)).contains(LAUNCHER_ADVICE
        + " The launcher cannot work on this machine yet: unprivileged user namespaces are off"
        + " (sysctl kernel.unprivileged_userns_clone = 0); turn them on, as root, with:"
        + " sysctl -w kernel.unprivileged_userns_clone=1." + SKIP_ADVICE);
  }

  @Test
  void aZeroUserNamespaceLimitIsNamedWithItsFix() throws IOException {
    status(1000, NO_CAPS);
    sysctl("sys/user/max_user_namespaces", "0");

    assertThat(Privileges.userNamespaceObstacles(proc)).containsExactly(
        "user namespaces are limited to none (sysctl user.max_user_namespaces = 0);"
            + " allow them, as root, with: sysctl -w user.max_user_namespaces=15000");
  }

  @Test
  void ubuntusAppArmorRestrictionIsNamedWithItsFix() throws IOException {
    status(1000, NO_CAPS);
    sysctl("sys/kernel/apparmor_restrict_unprivileged_userns", "1");
    sysctl("sys/kernel/unprivileged_userns_clone", "1");

    assertThat(Privileges.missing(proc)).hasValueSatisfying(m -> assertThat(m)
        .contains("AppArmor restricts unprivileged user namespaces (Ubuntu 24.04 and later,"
            + " sysctl kernel.apparmor_restrict_unprivileged_userns = 1)")
        .contains("as root, with: sysctl -w kernel.apparmor_restrict_unprivileged_userns=0")
        .doesNotContain("unprivileged_userns_clone"));
  }

  @Test
  void everyObstacleIsNamedWhenSeveralApply() throws IOException {
    sysctl("sys/kernel/unprivileged_userns_clone", "0");
    sysctl("sys/user/max_user_namespaces", "0");
    sysctl("sys/kernel/apparmor_restrict_unprivileged_userns", "1");

    assertThat(Privileges.userNamespaceObstacles(proc)).hasSize(3);
  }

  @Test
  void settingsThatAllowUserNamespacesAreNoObstacle() throws IOException {
    sysctl("sys/kernel/unprivileged_userns_clone", "1");
    sysctl("sys/user/max_user_namespaces", "63488");
    sysctl("sys/kernel/apparmor_restrict_unprivileged_userns", "0");

    assertThat(Privileges.userNamespaceObstacles(proc)).isEmpty();
  }

  @Test
  void aJvmStartedByTheLauncherSeesNoObstacleOnTheRealKernel() throws IOException {
    // Only a launched JVM proves the kernel allowed an unprivileged user namespace.
    assumeTrue(Rootless.active(), "runs only under the rootless launcher");

    assertThat(Privileges.userNamespaceObstacles(Path.of("/proc"))).isEmpty();
    assertThat(Privileges.missing()).isEmpty();
  }

  @Test
  void aPlainNonRootJvmFailsATestThatNeedsANamespaceWithTheMessageNamingTheRootlessBlock() throws IOException {
    int uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    assumeTrue(uid != 0 && !Rootless.active(),
        "runs only in a non-root JVM started without the launcher (ci/run-rootless.sh runs it so)");

    EngineTestKit.engine("junit-jupiter").selectors(selectClass(MissingPrivilegesTests.NeedsANamespaceTestCase.class))
        .execute().testEvents().assertThatEvents().haveExactly(1, event(finishedWithFailure(
            instanceOf(ExtensionConfigurationException.class),
            message(m -> m.startsWith("nsunit needs CAP_SYS_ADMIN and CAP_NET_ADMIN")
                && m.contains("(uid " + uid + ")") && m.contains("add the rootless block from README")
                && m.contains("<jvm>${project.build.directory}/nsunit-rootless/bin/java</jvm>")))));
  }

  private void status(int uid, String capEff) throws IOException {
    Files.createDirectories(proc.resolve("self"));
    Files.writeString(proc.resolve("self/status"), "Name:\tjava\nUid:\t" + uid + "\t" + uid + "\t" + uid + "\t" + uid
        + "\nCapInh:\t0000000000000000\nCapPrm:\t" + capEff + "\nCapEff:\t" + capEff + "\n");
  }

  private void sysctl(String path, String value) throws IOException {
    Files.createDirectories(proc.resolve(path).getParent());
    Files.writeString(proc.resolve(path), value + "\n");
  }
}
