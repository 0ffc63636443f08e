package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Limits an endpoint's traffic for the whole test, like {@code tc qdisc add dev eth0 root tbf
 * rate 10mbit ...}: {@link Faults#rateLimit(NetworkNamespace, long, Faults.Direction)} declared.
 *
 * <pre>{@code
 * @Test @BridgeNetwork @RateLimit("1mbit")
 * void uploadsInChunks(NetworkNamespace ns) { ... }
 * }</pre>
 *
 * <h2>Creation</h2>
 * After the test's endpoints are built and before {@code @BeforeEach} runs; the rate is checked
 * before anything is built.
 *
 * <h2>Scope</h2>
 * On a test method, or on a class for each of its tests. {@code endpoint} names an endpoint field;
 * empty means the test's own namespace.
 *
 * <h2>Cleanup</h2>
 * Healed when the test ends, before its namespaces are released.
 *
 * <h2>Threads</h2>
 * None: the kernel's tbf queues do the work.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface RateLimit {
  /** The rate in tc's bit units: {@code "10mbit"}, {@code "512kbit"}, {@code "1gbit"}, {@code "64000bit"} (k = 1000). */
  String value();

  /** Which way traffic is limited; both by default. */
  Faults.Direction direction() default Faults.Direction.BOTH;

  /** The endpoint field's name; empty for the test's own namespace. */
  String endpoint() default "";
}
