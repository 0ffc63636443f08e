package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import dev.nsunit.internal.netlink.LinkRequest;
import java.nio.file.Path;
import jnr.constants.platform.Errno;
import org.junit.jupiter.api.Test;

/** Kernel failures reach users as the public {@link KernelException}, with the errno's name. */
class KernelExceptionTests {

  @Test
  void openingAMissingFileNamesTheCallAndENOENT() {
    assertThatThrownBy(() -> NetworkNamespace.open(Path.of("/proc/self/no-such-namespace")))
        .isExactlyInstanceOf(KernelException.class)
        .hasMessageStartingWith("open(/proc/self/no-such-namespace")
        .hasMessageContaining("ENOENT")
        .asInstanceOf(type(KernelException.class))
        .satisfies(e -> {
          assertThat(e.errnoName()).isEqualTo("ENOENT");
          assertThat(e.errno()).isEqualTo(Errno.ENOENT.intValue());
          assertThat(e.kernelMessage()).isEmpty();
        });
  }

  @Test
  void aFileThatIsNoNamespaceIsTheCallersMistakeNotTheKernels() {
    // refused before setns could say EINVAL; every kind of file: OpenNamespaceFileTests
    assertThatThrownBy(() -> NetworkNamespace.open(Path.of("/proc/self/status")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("/proc/self/status is not a network namespace file: it is a regular file;"
            + " pass /proc/PID/ns/net or /run/netns/NAME.");
  }

  @Test
  void aRefusedNetlinkRequestCarriesTheKernelsOwnExplanation() {
    try (NetworkNamespace ns = NetworkNamespace.create("refused")) {
      // lo exists in every namespace: asking for a second one is refused with EEXIST
      assertThatThrownBy(() -> KernelFailures.translate(() -> {
        ns.netns().rtnetlink().add(LinkRequest.bridge("lo"));
        return null;
      }))
          .isExactlyInstanceOf(KernelException.class)
          .asInstanceOf(type(KernelException.class))
          .extracting(KernelException::errnoName).isEqualTo("EEXIST");
    }
  }
}
