package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Loses a share of an endpoint's packets for the whole test, like {@code netem loss 10%}:
 * {@link Faults#loss(NetworkNamespace, double, Faults.Direction)} declared, or with a seed
 * {@link Faults#loss(NetworkNamespace, double, Faults.Direction, long)}.
 *
 * <pre>{@code
 * @Test @BridgeNetwork @PacketLoss(percent = 10, seed = 42)
 * void retriesLostRequests(NetworkNamespace ns) { ... }
 * }</pre>
 *
 * <h2>Creation</h2>
 * After the test's endpoints are built and before {@code @BeforeEach} runs; the values are
 * checked before anything is built.
 *
 * <h2>Scope</h2>
 * On a test method, or on a class for each of its tests. {@code endpoint} names an endpoint field;
 * empty means the test's own namespace.
 *
 * <h2>Cleanup</h2>
 * Healed when the test ends, before its namespaces are released.
 *
 * <h2>Threads</h2>
 * None without a seed (the kernel draws); with one, the relay's two threads per interface.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface PacketLoss {
  /** Above 0 and at most 100. */
  double percent();

  /** Which way packets are lost; both by default. */
  Faults.Direction direction() default Faults.Direction.BOTH;

  /** One seed for a loss that repeats run after run ({@code seed = 42}); none by default. */
  long[] seed() default {};

  /** The endpoint field's name; empty for the test's own namespace. */
  String endpoint() default "";
}
