package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts the test with two endpoints partitioned from each other, both ways:
 * {@link Faults#partition(NetworkNamespace, NetworkNamespace, Faults.Blocking)} declared. Every
 * other peer stays reachable.
 *
 * <pre>{@code
 * @Test @Partition({"api", "db"})
 * void apiDegradesWithoutItsDatabase() { ... }
 * }</pre>
 *
 * <h2>Creation</h2>
 * After the test's endpoints are built and before {@code @BeforeEach} runs; names that are not
 * endpoint fields of the class fail the test before anything is built.
 *
 * <h2>Scope</h2>
 * On a test method, or on a class for each of its tests. Names are endpoint fields' names; an
 * empty name is the test's own namespace.
 *
 * <h2>Cleanup</h2>
 * Healed when the test ends, before its namespaces are released.
 *
 * <h2>Threads</h2>
 * None.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface Partition {
  /** The two endpoints, by field name. */
  String[] value();

  /** Drop (connects time out) or reject (connects fail at once); drop by default. */
  Faults.Blocking how() default Faults.Blocking.DROP;
}
