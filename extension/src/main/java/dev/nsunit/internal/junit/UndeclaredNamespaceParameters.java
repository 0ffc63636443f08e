package dev.nsunit.internal.junit;

import dev.nsunit.NetworkNamespace;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Parameter;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.engine.FilterResult;
import org.junit.platform.engine.TestDescriptor;
import org.junit.platform.engine.support.descriptor.MethodSource;
import org.junit.platform.launcher.PostDiscoveryFilter;

/**
 * Finds a {@link NetworkNamespace} parameter that nothing will resolve, at discovery, before any
 * test runs: a test method that takes one in a class where neither it, its class, an enclosing
 * class nor a field carries an nsunit mode annotation. nsunit's extension is registered by those
 * annotations, so without one JUnit would fail the test later with its generic "No
 * ParameterResolver registered for parameter [dev.nsunit.NetworkNamespace ns]", which says
 * nothing about what to add. This check fails the discovery instead, with nsunit's own message
 * (the one the extension gives when it is registered and the test still has no mode).
 *
 * <p>It stays out of the way whenever something else might resolve the parameter: the element or
 * its classes carry any {@code @ExtendWith} or {@code @RegisterExtension} of their own, or
 * Jupiter's extension auto-detection is switched on as a system property. It never fails a
 * discovery for any other reason: a reflection problem leaves the test to JUnit.
 *
 * <p>Registered through {@code META-INF/services/org.junit.platform.launcher.PostDiscoveryFilter},
 * which every JUnit Platform launcher (Surefire, Gradle, IDEs) loads. Not API.
 */
public final class UndeclaredNamespaceParameters implements PostDiscoveryFilter {
  /** For {@link java.util.ServiceLoader}. */
  public UndeclaredNamespaceParameters() {}

  /**
   * What a {@link NetworkNamespace} parameter on a test with no network mode means, and what to
   * add: {@code "parameter ns of m() is a NetworkNamespace, but the test has no network mode. ..."}.
   *
   * @param parameter the parameter's name, see {@link #nameOf}
   * @param executable the method's name, e.g. {@code m()}
   */
  public static String message(String parameter, String executable) {
    return "parameter " + parameter + " of " + executable + " is a NetworkNamespace, but the test has no network"
        + " mode. Annotate the test method or class with @NoNetwork, @BridgeNetwork, @HostNetwork or"
        + " @SharedNetworkWith (lifecycle methods such as @BeforeAll get none: use a static endpoint field), or"
        + " mark the parameter @LabHost.";
  }

  /**
   * Includes every test; throws {@link ExtensionConfigurationException} for a Jupiter test method
   * with a {@link NetworkNamespace} parameter that no extension can resolve.
   */
  @Override
  public FilterResult apply(TestDescriptor descriptor) {
    Optional<Method> method = descriptor.getSource().filter(MethodSource.class::isInstance)
        .map(MethodSource.class::cast).flatMap(UndeclaredNamespaceParameters::javaMethod);
    if (method.isPresent() && descriptor.getUniqueId().getEngineId().filter("junit-jupiter"::equals).isPresent()
        && !Boolean.getBoolean("junit.jupiter.extensions.autodetection.enabled")) {
      Method m = method.get();
      Parameter[] parameters = m.getParameters();
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i].getType() == NetworkNamespace.class && !mayBeResolved(m, parameters[i])) {
          throw new ExtensionConfigurationException(m.getDeclaringClass().getSimpleName() + "." + m.getName()
              + "(): " + message(nameOf(parameters[i], i), m.getName() + "()"));
        }
      }
    }
    return FilterResult.included("nsunit includes every test");
  }

  /**
   * The parameter's name in messages: as declared when the class was compiled with
   * {@code -parameters}, else its position ({@code #1}), which says more than {@code arg0}.
   */
  public static String nameOf(Parameter parameter, int index) {
    return parameter.isNamePresent() ? parameter.getName() : "#" + (index + 1);
  }

  private static Optional<Method> javaMethod(MethodSource source) {
    try {
      return Optional.of(source.getJavaMethod());
    } catch (RuntimeException | LinkageError e) {
      return Optional.empty(); // not a method this class loader can see: JUnit's business
    }
  }

  /**
   * Whether an annotation or a field might register a resolver: a mode (each carries
   * {@code @ExtendWith}), any other extension, on the parameter, the method, its class, the
   * classes it inherits from or (for an inner, {@code @Nested}, class) is nested in.
   */
  private static boolean mayBeResolved(Method method, Parameter parameter) {
    try {
      if (declares(parameter) || declares(method)) {
        return true;
      }
      Deque<Class<?>> classes = new ArrayDeque<>(List.of(method.getDeclaringClass()));
      Set<Class<?>> seen = new HashSet<>();
      while (!classes.isEmpty()) {
        Class<?> c = classes.pop();
        if (c == Object.class || !seen.add(c)) {
          continue;
        }
        if (declares(c) || Arrays.stream(c.getDeclaredFields())
            .anyMatch(f -> declares(f) || AnnotationSupport.isAnnotated(f, RegisterExtension.class))
            || Arrays.stream(c.getDeclaredConstructors()).flatMap(e -> Arrays.stream(e.getParameters()))
                .anyMatch(UndeclaredNamespaceParameters::declares)) {
          return true;
        }
        Optional.ofNullable(c.getSuperclass()).ifPresent(classes::add);
        classes.addAll(List.of(c.getInterfaces()));
        if (c.getEnclosingClass() != null && !Modifier.isStatic(c.getModifiers())) {
          classes.add(c.getEnclosingClass());
        }
      }
      return false;
    } catch (RuntimeException | LinkageError e) {
      return true; // cannot tell: leave the test to JUnit
    }
  }

  /** {@code @ExtendWith}, directly, repeated or as a meta-annotation (every nsunit mode is one). */
  private static boolean declares(AnnotatedElement element) {
    return !AnnotationSupport.findRepeatableAnnotations(element, ExtendWith.class).isEmpty();
  }
}
