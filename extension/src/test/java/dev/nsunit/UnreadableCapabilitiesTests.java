package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A status file that cannot be read is no proof of missing capabilities: the probe names the
 * errno instead of blaming privileges. (Out of descriptors, the case that matters most:
 * {@link DescriptorExhaustionTests}.)
 */
class UnreadableCapabilitiesTests {
  @TempDir Path proc;

  @Test
  void aProcWithoutStatusIsTheKernelsENOENTNotMissingCapabilities() throws IOException {
    Files.createDirectories(proc.resolve("self"));

    assertThatThrownBy(() -> Privileges.missing(proc)).isExactlyInstanceOf(KernelException.class)
        .hasMessage("nsunit cannot check whether this JVM may create network namespaces: open(" + proc
            + "/self/status) failed: ENOENT (No such file or directory). It reads the JVM's capabilities (CapEff)"
            + " from that file; make sure /proc is mounted and readable.")
        .asInstanceOf(type(KernelException.class)).extracting(KernelException::errnoName).isEqualTo("ENOENT");
  }
}
