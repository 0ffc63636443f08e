package dev.nsunit.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.assertions.NamespaceAssert;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The examples in the extension's Javadoc call assertions that exist: every
 * {@code assertThat(ns).NAME(} in the sources of the extension (their code examples) names a
 * public method of {@link NamespaceAssert}. (The {@code @LabHost} example once called
 * {@code canConnectTo}, which never existed.)
 */
class JavadocExamplesTests {
  private static final Path SOURCES = Path.of("..", "extension", "src", "main", "java", "dev", "nsunit");
  private static final Pattern CALL = Pattern.compile("assertThat\\(\\w+\\)\\.(\\w+)\\(");

  @Test
  void everyAssertionInAJavadocExampleExists() throws IOException {
    Set<String> methods = Arrays.stream(NamespaceAssert.class.getMethods())
        .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName).collect(Collectors.toSet());
    List<String> calls = new ArrayList<>();
    try (Stream<Path> files = Files.list(SOURCES)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
        Matcher m = CALL.matcher(Files.readString(file));
        while (m.find()) {
          calls.add(file.getFileName() + ": " + m.group(1));
        }
      }
    }
    assertThat(calls).as("assertions called in the Javadoc of %s", SOURCES).isNotEmpty()
        .anyMatch(c -> c.startsWith("LabHost.java: "))
        .allSatisfy(c -> assertThat(methods).as(c).contains(c.substring(c.indexOf(": ") + 2)));
  }
}
