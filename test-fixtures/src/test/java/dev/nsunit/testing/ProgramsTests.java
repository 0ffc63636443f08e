package dev.nsunit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.opentest4j.TestAbortedException;

class ProgramsTests {

  @Test
  void findsAProgramOnPath() {
    assertThat(Programs.onPath("sh")).hasValueSatisfying(p -> {
      assertThat(p.getFileName()).hasToString("sh");
      assertThat(Files.isExecutable(p)).isTrue();
    });
  }

  @Test
  void aMissingProgramIsEmpty() {
    assertThat(Programs.onPath("no-such-program-nsunit")).isEmpty();
  }

  @Test
  void requiringAMissingProgramSkipsWithTheReasonAndThePath() {
    assertThatThrownBy(() -> Programs.require("no-such-program-nsunit", "the oracle's listeners"))
        .isExactlyInstanceOf(TestAbortedException.class)
        .hasMessageContaining("no-such-program-nsunit is not on PATH (" + System.getenv("PATH") + ")")
        .hasMessageContaining("it is needed for the oracle's listeners");
  }
}
