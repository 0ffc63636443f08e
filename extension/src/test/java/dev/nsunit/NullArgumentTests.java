package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.testing.NamespaceHolders;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

/**
 * A {@code null} argument to the public API fails at once with a {@link NullPointerException}
 * that names the parameter and says what to pass, before anything is built; none is accepted
 * to fail later, elsewhere, or on another thread.
 */
class NullArgumentTests {
  private static final Duration SECOND = Duration.ofSeconds(1);
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  @Test
  void factoriesNameTheNullParameterAndBuildNothing() {
    Set<String> before = NamespaceHolders.namespaceFdsOfThisJvm();
    int fds = ConfigurationErrorTests.openFds();
    assertNamed(() -> NetworkNamespace.create(null), "name");
    assertNamed(() -> NetworkNamespace.open(null), "path");
    assertNamed(() -> NetworkNamespace.open(null, "x"), "path");
    assertNamed(() -> NetworkNamespace.open(Path.of("/proc/self/ns/net"), null), "name");
    assertNamed(() -> NetworkNamespace.ownersOf(null), "socket");
    assertThat(NamespaceHolders.namespaceFdsOfThisJvm()).isEqualTo(before);
    assertThat(ConfigurationErrorTests.openFds()).isEqualTo(fds);
  }

  @Test
  void methodsNameTheNullParameterOnAnOpenAndOnAClosedNamespace() throws Exception {
    NetworkNamespace ns = NetworkNamespace.create("nulls");
    try {
      assertEveryMethodNamesItsNullParameter(ns);
    } finally {
      ns.close();
    }
    // validation comes first: a null is reported as such even after close()
    assertEveryMethodNamesItsNullParameter(ns);
  }

  private static void assertEveryMethodNamesItsNullParameter(NetworkNamespace ns) {
    assertNamed(() -> ns.call(null), "task");
    assertNamed(() -> ns.run(null), "task");
    assertNamed(() -> ns.start(null), "builder");
    assertNamed(() -> ns.threadFactory().newThread(null), "task");
    assertNamed(() -> ns.sharesStackWith(null), "other");
    assertNamed(() -> ns.awaitListening(80, null), "timeout");
    assertNamed(() -> ns.ping(null, SECOND), "target");
    assertNamed(() -> ns.ping(LOOPBACK, null), "timeout");
    assertNamed(() -> ns.connectTcp(null, 80, SECOND), "target");
    assertNamed(() -> ns.connectTcp(LOOPBACK, 80, null), "timeout");
    assertNamed(() -> ns.exchangeUdp(null, 80, new byte[0], SECOND), "target");
    assertNamed(() -> ns.exchangeUdp(LOOPBACK, 80, null, SECOND), "request");
    assertNamed(() -> ns.exchangeUdp(LOOPBACK, 80, new byte[0], null), "timeout");
  }

  private static void assertNamed(ThrowingCallable call, String parameter) {
    assertThatThrownBy(call).isExactlyInstanceOf(NullPointerException.class)
        .hasMessageStartingWith(parameter + " is null; pass ");
  }
}
