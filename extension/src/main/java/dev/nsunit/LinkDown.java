package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Starts the test with an endpoint's interface down, like {@code ip link set eth0 down}:
 * {@link Faults#linkDown(NetworkNamespace, String)} declared. It comes back up, with its
 * default route, when the test ends.
 *
 * <pre>{@code
 * @Test @BridgeNetwork @LinkDown
 * void startsOffline(NetworkNamespace ns) { ... }
 * }</pre>
 *
 * <h2>Creation</h2>
 * After the test's endpoints are built and before {@code @BeforeEach} runs; an interface the
 * endpoint lacks fails the test, naming the interfaces it has.
 *
 * <h2>Scope</h2>
 * On a test method, or on a class for each of its tests. {@code endpoint} names an endpoint field;
 * empty means the test's own namespace.
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
public @interface LinkDown {
  /** The interface: {@code eth0} by default. */
  String value() default "eth0";

  /** The endpoint field's name; empty for the test's own namespace. */
  String endpoint() default "";
}
