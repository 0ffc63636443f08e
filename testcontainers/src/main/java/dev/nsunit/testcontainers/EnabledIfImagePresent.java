package dev.nsunit.testcontainers;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Disables a test class or method, with a reason, unless Docker is reachable and already has the
 * image {@link #value()} locally. For suites that build their images themselves and must never
 * pull (on a developer's machine whose Docker lacks the image, they are skipped rather than
 * failing on a pull).
 *
 * <pre>{@code
 * @EnabledIfImagePresent("nsunit/busybox-echo:latest")
 * @Testcontainers
 * class EchoTests { ... }
 * }</pre>
 *
 * <p>Evaluated before any container starts. Needs Testcontainers and JUnit Jupiter on the test
 * classpath.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(LocalImageCondition.class)
public @interface EnabledIfImagePresent {
  /** The image, e.g. {@code "nsunit/busybox-echo:latest"}. */
  String value();
}
