package dev.nsunit.assertions;

import static dev.nsunit.assertions.NetworkAssertions.assertThat;
import static dev.nsunit.assertions.error.ShouldShareNetworkStack.shouldBeHostNamespace;
import static dev.nsunit.assertions.error.ShouldShareNetworkStack.shouldNotShareNetworkStack;
import static dev.nsunit.assertions.error.ShouldShareNetworkStack.shouldShareNetworkStack;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nsunit.NetworkNamespace;
import org.junit.jupiter.api.Test;

/** Docker's container mode (one stack, two handles) and host mode, made checkable. */
class IdentityAssertionsTests {

  @Test
  void containerModeSharesTheStack() {
    try (NetworkNamespace web = NetworkNamespace.create("web");
        NetworkNamespace sidecar = NetworkNamespace.open(web.path());
        NetworkNamespace other = NetworkNamespace.create("other")) {
      assertThat(sidecar).sharesNetworkStackWith(web).doesNotShareNetworkStackWith(other);

      assertThatThrownBy(() -> assertThat(other).sharesNetworkStackWith(web))
          .hasMessage(shouldShareNetworkStack(other.toString(), other.id(), web.toString(), web.id()).create());
      assertThatThrownBy(() -> assertThat(sidecar).doesNotShareNetworkStackWith(web))
          .hasMessage(shouldNotShareNetworkStack(sidecar.toString(), web.toString(), web.id()).create());
    }
  }

  @Test
  void hostModeIsTheJvmsOwnNamespace() {
    try (NetworkNamespace host = NetworkNamespace.host();
        NetworkNamespace created = NetworkNamespace.create("isolated")) {
      assertThat(host).isHostNamespace();
      assertThat(created).isNotHostNamespace();

      assertThatThrownBy(() -> assertThat(created).isHostNamespace())
          .hasMessage(shouldBeHostNamespace(created.toString(), created.id(), host.id(), true).create());
      assertThatThrownBy(() -> assertThat(host).isNotHostNamespace())
          .hasMessage(shouldBeHostNamespace(host.toString(), host.id(), host.id(), false).create());
    }
  }
}
