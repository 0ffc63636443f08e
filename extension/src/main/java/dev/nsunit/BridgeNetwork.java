package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Docker's default bridge network: the endpoint gets {@code eth0}, a veth whose peer is a port
 * of a bridge in the lab host, with an address from {@link #subnet()} (the first endpoint gets
 * .2), the subnet's broadcast address, MTU {@link #mtu()}, the link route and
 * {@code default via} {@link #gateway()}, the bridge's own address.
 *
 * <pre>{@code
 * @BridgeNetwork
 * class CacheClientTests {
 *   @Test void seesTheGateway(NetworkNamespace ns) {
 *     assertThat(ns).hasInterface("eth0").withAddressIn("172.17.0.0/16").isUp();
 *     assertThat(ns).hasDefaultRoute().via("172.17.0.1");
 *   }
 * }
 * }</pre>
 *
 * <h2>Creation</h2>
 * The lab host (a per-JVM namespace that plays the Docker host) is created on first use, with
 * one bridge per subnet ({@code nsunit0} for the first). Then, per endpoint: a namespace with
 * {@code lo} up, a veth pair, the address, the routes. The real host is never touched and the lab
 * has no route out. On a class or method this makes one endpoint per test; on a
 * {@code static NetworkNamespace} field one for all tests of the class; on an instance field one
 * per test, named after the field.
 *
 * <h2>Scope</h2>
 * The method's annotation wins; {@code @Nested} classes inherit; usable as a meta-annotation.
 * Endpoints with the same subnet share one bridge and can reach each other.
 *
 * <h2>Cleanup</h2>
 * After the test the endpoint's namespace is closed; the kernel then deletes the veth pair,
 * including the lab-side port, asynchronously (within tens of milliseconds). The lab host goes
 * away when the JVM exits.
 *
 * <h2>Threads</h2>
 * {@code @BeforeEach}, the test and {@code @AfterEach} run on one dedicated platform thread
 * inside the endpoint's namespace; JUnit's thread never changes namespace.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@ExtendWith(NetworkNamespaceExtension.class)
public @interface BridgeNetwork {
  /** Docker's default bridge subnet. */
  String DEFAULT_SUBNET = "172.17.0.0/16";

  /** The bridge's subnet in CIDR notation; must be an IPv4 network address. */
  String subnet() default DEFAULT_SUBNET;

  /** The gateway (the bridge's address); empty means the subnet's first host, e.g. 172.17.0.1. */
  String gateway() default "";

  /** The endpoint's MTU. */
  int mtu() default 1500;

  /** A fixed address for this endpoint; empty means the next free one in the subnet. */
  String address() default "";
}
