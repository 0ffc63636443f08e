package dev.nsunit.apicheck;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.assertions.NetworkAssertions;
import dev.nsunit.testcontainers.ContainerNamespaces;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Member;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The public API of each published jar, compared with the approved list in
 * {@code src/test/resources/api/ARTIFACT.txt}: every public type a user can import (outside
 * {@code internal} packages) and every public or protected member of it. A change of the API is
 * then a visible diff in review. To approve a change, run
 * {@code mvn verify -pl api-check -am -Dnsunit.api.approve=true} and commit the rewritten list.
 */
class PublicApiTests {
  private static final Path APPROVED = Path.of("src/test/resources/api");
  private static final Set<String> USER_PACKAGES =
      Set.of("dev.nsunit", "dev.nsunit.model", "dev.nsunit.assertions", "dev.nsunit.assertions.error",
          "dev.nsunit.testcontainers");

  /** The published jars, each found through a class it contains. */
  enum Artifact {
    EXTENSION("nsunit-extension", NetworkNamespace.class),
    ASSERTIONS("nsunit-assertions", NetworkAssertions.class),
    TESTCONTAINERS("nsunit-testcontainers", ContainerNamespaces.class);

    final String artifactId;
    final Class<?> anchor;

    Artifact(String artifactId, Class<?> anchor) {
      this.artifactId = artifactId;
      this.anchor = anchor;
    }
  }

  @ParameterizedTest
  @EnumSource(Artifact.class)
  void theApiIsTheApprovedOne(Artifact artifact) throws Exception {
    List<String> actual = apiOf(artifact);
    Path approved = APPROVED.resolve(artifact.artifactId + ".txt");
    if (Boolean.getBoolean("nsunit.api.approve")) {
      Files.createDirectories(APPROVED);
      Files.write(approved, actual, StandardCharsets.UTF_8);
    }
    assertThat(approved).as("approved API list of %s", artifact.artifactId).exists();
    assertThat(actual)
        .as("the public API of %s differs from %s; if the change is intended, rerun with"
            + " -Dnsunit.api.approve=true and commit the list", artifact.artifactId, approved)
        .containsExactlyElementsOf(Files.readAllLines(approved, StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @EnumSource(Artifact.class)
  void userPackagesOnly(Artifact artifact) throws Exception {
    Set<String> packages = publicTypes(artifact).stream().map(Class::getPackageName).collect(Collectors.toCollection(TreeSet::new));
    assertThat(packages).as("packages with public types outside internal in %s", artifact.artifactId)
        .isSubsetOf(USER_PACKAGES);
  }

  @ParameterizedTest
  @EnumSource(Artifact.class)
  void noInternalTypeInAPublicSignature(Artifact artifact) throws Exception {
    List<String> leaks = new ArrayList<>();
    for (String line : apiOf(artifact)) {
      if (line.contains(".internal.")) {
        leaks.add(line);
      }
    }
    assertThat(leaks).as("public members of %s that mention an internal type", artifact.artifactId).isEmpty();
  }

  /** One line per public type, then one per public or protected member, sorted. */
  private static List<String> apiOf(Artifact artifact) throws IOException, URISyntaxException {
    List<String> lines = new ArrayList<>();
    for (Class<?> type : publicTypes(artifact)) {
      lines.add(describeType(type));
      Set<String> members = new TreeSet<>();
      for (Constructor<?> c : type.getDeclaredConstructors()) {
        if (isApi(c)) {
          members.add("  " + c.toGenericString());
        }
      }
      for (Method m : type.getDeclaredMethods()) {
        if (isApi(m) && !m.isSynthetic() && !m.isBridge()) {
          members.add("  " + m.toGenericString());
        }
      }
      for (Field f : type.getDeclaredFields()) {
        if (isApi(f) && !f.isSynthetic()) {
          members.add("  " + f.toGenericString());
        }
      }
      lines.addAll(members);
    }
    return lines;
  }

  private static String describeType(Class<?> type) {
    String supers = Stream.concat(Stream.ofNullable(type.getGenericSuperclass())
            .filter(s -> s != Object.class && s != Record.class && !type.isEnum()),
        Stream.of(type.getGenericInterfaces()))
        .map(t -> t.getTypeName()).collect(Collectors.joining(", "));
    String kind = type.isAnnotation() ? "@interface" : type.isInterface() ? "interface" : type.isEnum() ? "enum"
        : type.isRecord() ? "record" : "class";
    int shown = Modifier.ABSTRACT | Modifier.FINAL | Modifier.STATIC;
    if (type.isInterface() || type.isEnum() || type.isRecord()) {
      shown = 0; // implicitly abstract, final or static: saying so adds nothing
    }
    String modifiers = Modifier.toString(type.getModifiers() & shown);
    return (modifiers.isEmpty() ? "" : modifiers + " ") + kind + " " + type.getName()
        + (type.isSealed() ? " (sealed)" : "") + (supers.isEmpty() ? "" : " : " + supers);
  }

  private static boolean isApi(Member m) {
    int mod = m.getModifiers();
    boolean visible = Modifier.isPublic(mod) || Modifier.isProtected(mod);
    if (!visible) {
      return false;
    }
    // protected members of a final class cannot be reached by anyone outside its package
    return Modifier.isPublic(mod) || !Modifier.isFinal(m.getDeclaringClass().getModifiers());
  }

  /** The public types of the jar (or classes directory) that holds {@code artifact.anchor}, outside internal packages. */
  private static List<Class<?>> publicTypes(Artifact artifact) throws IOException, URISyntaxException {
    Path location = Path.of(artifact.anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> classNames = new ArrayList<>();
    if (Files.isDirectory(location)) {
      classNames.addAll(classNames(location));
    } else {
      try (FileSystem jar = FileSystems.newFileSystem(location, Map.of())) {
        classNames.addAll(classNames(jar.getPath("/")));
      }
    }
    List<Class<?>> out = new ArrayList<>();
    ClassLoader loader = artifact.anchor.getClassLoader();
    for (String name : classNames) {
      if (name.contains(".internal.") || name.endsWith("package-info") || name.endsWith("module-info")) {
        continue;
      }
      Class<?> type;
      try {
        type = Class.forName(name, false, loader);
      } catch (ClassNotFoundException | LinkageError e) {
        throw new IllegalStateException("cannot load " + name + " from " + location, e);
      }
      if (isAccessible(type)) {
        out.add(type);
      }
    }
    out.sort((a, b) -> a.getName().compareTo(b.getName()));
    return out;
  }

  /** Public, and every enclosing type public too (a public nested type of a package-private class is not API). */
  private static boolean isAccessible(Class<?> type) {
    if (type.isAnonymousClass() || type.isLocalClass() || type.isSynthetic()) {
      return false;
    }
    for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
      if (!Modifier.isPublic(c.getModifiers())) {
        return false;
      }
    }
    return true;
  }

  private static List<String> classNames(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      return files.filter(p -> p.toString().endsWith(".class"))
          .map(p -> root.relativize(p).toString().replace('/', '.'))
          .map(n -> n.substring(0, n.length() - ".class".length()))
          .sorted()
          .collect(Collectors.toList());
    }
  }
}
