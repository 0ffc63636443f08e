package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's {@code --network host}: no isolation. The test runs in the JVM's own network
 * namespace, and a {@link NetworkNamespace} parameter gives read-only access to it, e.g. to
 * check the machine a CI job runs on.
 *
 * <pre>{@code
 * @HostNetwork
 * class MachineTests {
 *   @Test void hasLoopback(NetworkNamespace host) {
 *     assertThat(host).isHostNamespace().hasInterface("lo").isUp();
 *   }
 * }
 * }</pre>
 *
 * <h2>Creation</h2>
 * Nothing is created: the JVM's namespace is opened (one file descriptor).
 *
 * <h2>Scope</h2>
 * Class, method or field (an endpoint named after the field). The method's annotation wins;
 * {@code @Nested} classes inherit; usable as a meta-annotation.
 *
 * <h2>Cleanup</h2>
 * The descriptor is closed after the test. The host's network is never modified by nsunit.
 *
 * <h2>Threads</h2>
 * The test runs on JUnit's own thread, which is already in the host namespace.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface HostNetwork {}
