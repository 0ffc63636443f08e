package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's {@code --network container:NAME}: join the network namespace of a named endpoint, so
 * the test sees the same interfaces and the same listening ports (it is the same kernel object).
 *
 * <pre>{@code
 * class RedisTests {
 *   @NoNetwork static NetworkNamespace redis;   // an endpoint called "redis"
 *
 *   @BeforeAll static void startRedis() throws Exception {
 *     redis.start(new ProcessBuilder("redis-server", "--port", "6379"));
 *   }
 *
 *   @Test @SharedNetworkWith("redis")
 *   void seesRedisListening(NetworkNamespace ns) {
 *     assertThat(ns).sharesNetworkStackWith(redis).isListeningOn(6379);
 *   }
 * }
 * }</pre>
 *
 * <h2>Creation</h2>
 * Nothing new is created: the endpoint named {@link #value()} (a {@code NetworkNamespace} field
 * carrying a mode annotation; its name is the field's name) is joined. On a field, the field
 * receives the named endpoint's namespace.
 *
 * <h2>Scope</h2>
 * The named endpoint must be declared in the test class, a superclass or an enclosing class.
 * A static field may only share with a static endpoint. Self-references and cycles are errors.
 *
 * <h2>Cleanup</h2>
 * None of its own: the named endpoint's owner closes the namespace.
 *
 * <h2>Threads</h2>
 * As for the other modes, the test body runs on a dedicated platform thread inside the joined
 * namespace.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface SharedNetworkWith {
  /** The name of the endpoint to join: the name of a {@code NetworkNamespace} field. */
  String value();
}
