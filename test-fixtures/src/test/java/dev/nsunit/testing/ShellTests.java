package dev.nsunit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ShellTests {

  @Test
  void returnsStdoutOnly() {
    assertThat(Shell.run("sh", "-c", "echo out; echo err >&2")).isEqualTo("out\n");
  }

  @Test
  void aFailureCarriesTheCommandItsExitStatusStderrAndStdout() {
    assertThatThrownBy(() -> Shell.run("sh", "-c", "echo partial; echo why >&2; exit 3"))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage("[sh, -c, echo partial; echo why >&2; exit 3] exited 3: why\npartial\n");
  }

  @Test
  void aCommandThatFillsStderrBeforeStdoutDoesNotStall() {
    // more than a pipe holds (64 KiB): read one pipe after the other, this would hang
    String out = Shell.run("sh", "-c", "head -c 1048576 /dev/zero | tr '\\0' x >&2; echo done");
    assertThat(out).isEqualTo("done\n");
  }

  @Test
  void aMissingProgramFailsWithItsName() {
    assertThatThrownBy(() -> Shell.run("no-such-program-nsunit", "x"))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessageStartingWith("cannot run [no-such-program-nsunit, x]: ");
  }

  @Test
  void theCommandGetsNoStdin() {
    assertThat(Shell.run("cat")).isEmpty();
  }
}
