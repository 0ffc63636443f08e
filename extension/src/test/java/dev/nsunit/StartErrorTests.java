package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.File;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link NetworkNamespace#start(ProcessBuilder)} fails as {@link ProcessBuilder#start()} itself
 * would, naming the user's program: never {@code /usr/bin/setpriv}, the guard it is exec'd through.
 * The oracle is the JDK's own message for the same builder, started outside nsunit: the same
 * {@code Cannot run program "P" (in directory "D"): } and the same system error text. How the
 * JDK words the errno differs between releases ({@code error=2, No such file or directory} on 17,
 * {@code Exec failed, error: 2 (No such file or directory)} on 25); nsunit uses 17's.
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
      String program = jdk.getMessage().substring(0, jdk.getMessage().indexOf("): ") + 3);
      Matcher m = Pattern.compile("(?:error=\\d+, (.+)|error: \\d+ \\((.+)\\))\\s*$").matcher(jdk.getMessage());
      assertThat(m.find()).as("the system error in %s", jdk.getMessage()).isTrue();
      String error = m.group(1) != null ? m.group(1) : m.group(2);
      assertThat(program).startsWith("Cannot run program \"true\" (in directory \"" + builder.directory() + "\")");
      assertThat(error).isIn("No such file or directory", "Not a directory");
      assertThat(ours.getMessage())
          .startsWith(program)
          .contains(error)
          .doesNotContain("setpriv")
          .contains("working directory");
      assertThat(ns.netns().processes()).isEmpty();
    }
  }
}
