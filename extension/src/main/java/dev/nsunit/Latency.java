package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Delays an endpoint's frames for the whole test, like {@code tc qdisc add dev eth0 root netem
 * delay 50ms}: {@link Faults#latency(NetworkNamespace, java.time.Duration, java.time.Duration,
 * Faults.Direction)} declared.
 *
 * <pre>{@code
 * @Test @BridgeNetwork @Latency("50ms")
 * void timesOutSlowReplies(NetworkNamespace ns) { ... }        // the test's own endpoint
 *
 * @Test @Latency(value = "200ms", jitter = "50ms", endpoint = "db")
 * void survivesASlowDatabase() { ... }                           // the endpoint in field db
 * }</pre>
 *
 * <h2>Creation</h2>
 * After the test's endpoints are built and before {@code @BeforeEach} runs. The values are
 * checked when the test starts, before anything is built: a malformed duration or an unknown
 * endpoint fails the test with a message naming the annotation.
 *
 * <h2>Scope</h2>
 * On a test method, or on a class for each of its tests. {@code endpoint} names an endpoint field
 * of the class; empty means the test's own namespace (a mode annotation on the test or its class).
 *
 * <h2>Cleanup</h2>
 * Healed when the test ends, before its namespaces are released, whether it passed or failed.
 *
 * <h2>Threads</h2>
 * Two relay threads per interface of the endpoint ({@code nsunit-relay-*}), in the JVM's own
 * namespace, while the test runs.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface Latency {
  /** The delay: {@code "50ms"}, {@code "1s"}. */
  String value();

  /** Each frame's delay varies within value ± jitter: {@code "10ms"}; none by default. */
  String jitter() default "0ms";

  /** Which way frames are delayed; {@code OUTGOING}, as netem on the endpoint's {@code eth0}. */
  Faults.Direction direction() default Faults.Direction.OUTGOING;

  /** The endpoint field's name; empty for the test's own namespace. */
  String endpoint() default "";
}
