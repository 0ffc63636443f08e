package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.File;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkNamespace#start(ProcessBuilder)} fails as {@link ProcessBuilder#start()} itself
 * would, naming the user's program: never {@code /usr/bin/setpriv}, the guard it is exec'd through.
 * The oracle is the JDK's own message for the same builder, started outside nsunit.
 */
class StartErrorTests {

  @Test
  void aMissingWorkingDirectoryNamesTheProgramAndTheDirectory() throws Exception {
    File missing = new File("/nonexistent-nsunit-directory");
    assertThat(missing).doesNotExist();
    assertSameFailureAsTheJdk(new ProcessBuilder("true").directory(missing));
  }

  @Test
  void aWorkingDirectoryThatIsAFileNamesTheProgramAndTheDirectory() throws Exception {
    File file = File.createTempFile("nsunit-not-a-directory", ".txt");
    try {
      assertSameFailureAsTheJdk(new ProcessBuilder("true").directory(file));
    } finally {
      assertThat(file.delete()).isTrue();
    }
  }

  private static void assertSameFailureAsTheJdk(ProcessBuilder builder) {
    IOException jdk = catchThrowableOfType(IOException.class, builder::start);
    assertThat(jdk).as("the JDK's own failure for %s", builder.directory()).isNotNull();
    try (NetworkNamespace ns = NetworkNamespace.create("start-errors")) {
      IOException ours = catchThrowableOfType(IOException.class, () -> ns.start(builder));
      assertThat(ours).isExactlyInstanceOf(IOException.class);
      assertThat(ours.getMessage())
          .startsWith(jdk.getMessage())
          .doesNotContain("setpriv")
          .contains("working directory");
      assertThat(ns.netns().processes()).isEmpty();
    }
  }
}
