package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's {@code --network none}: a fresh network namespace with only {@code lo}, up, holding
 * 127.0.0.1/8 and ::1. Any other destination fails with "Network is unreachable".
 *
 * <pre>{@code
 * @NoNetwork
 * class OfflineTests {
 *   @Test void failsFast(NetworkNamespace ns) {
 *     assertThat(ns).hasOnlyLoopback();
 *   }
 * }
 * }</pre>
 *
 * <h2>Creation</h2>
 * On a test class or method: one namespace per test, created before {@code @BeforeEach}. On a
 * {@code static NetworkNamespace} field: one namespace, created before all tests of the class.
 * On an instance field: one per test. The field's name is the endpoint's name, which
 * {@link SharedNetworkWith} can refer to.
 *
 * <h2>Scope</h2>
 * The method's annotation wins over the class's; {@code @Nested} classes inherit. Usable as a
 * meta-annotation. At most one mode annotation per element.
 *
 * <h2>Cleanup</h2>
 * The namespace is closed after the test (or after all tests, for static fields) whether it
 * passed or failed: processes started in it are killed, its threads stopped, its descriptors
 * closed, and the kernel frees it. Nothing is bind-mounted, so a killed JVM leaves nothing.
 *
 * <h2>Threads</h2>
 * {@code @BeforeEach}, the test method and {@code @AfterEach} run on one dedicated platform
 * thread inside the namespace; JUnit's own thread never changes namespace. Threads the test
 * starts inherit the namespace; pools created elsewhere (such as {@code ForkJoinPool.commonPool()})
 * do not: use {@link NetworkNamespace#executor()}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface NoNetwork {}
