package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Puts an endpoint on a {@link Network}, like {@code docker run --network NAME [--network-alias
 * ALIAS] [--ip ADDRESS]}: its network mode. Each occurrence is one more interface, {@code eth0},
 * {@code eth1}, ... in declaration order, so an endpoint with two {@code @Connect} is on two
 * networks (multi-homed). The first network that is not internal gives the default route.
 *
 * <pre>{@code
 * @Connect(network = "frontend") @Connect(network = "backend", aliases = "api")
 * static NetworkNamespace api;            // eth0 on frontend, eth1 on backend
 * }</pre>
 *
 * <h2>Creation</h2>
 * Like {@link BridgeNetwork}: a namespace with {@code lo} up, then per network a veth whose peer
 * is a port of the network's bridge, the next free address (or {@link #address()}), a MAC
 * derived from it (02:42 + the address), the link route. On a class or method this makes one
 * endpoint per test; on a {@code static NetworkNamespace} field one for all tests of the class;
 * on an instance field one per test. {@code network = "bridge"} is Docker's default network
 * (172.17.0.0/16), which needs no {@link Network} declaration.
 *
 * <h2>Scope</h2>
 * The method's annotations win over the class's; {@code @Nested} classes inherit; usable as a
 * meta-annotation. An element has one network mode: {@code @Connect} does not combine with
 * {@code @BridgeNetwork}, {@code @NoNetwork}, {@code @HostNetwork} or {@code @SharedNetworkWith}.
 *
 * <h2>Cleanup</h2>
 * When the scope ends every interface is cut off its bridge at once, then the namespace is
 * closed; the kernel deletes the veths with it. An address comes back only once its old port is
 * gone.
 *
 * <h2>Threads</h2>
 * {@code @BeforeEach}, the test and {@code @AfterEach} run on one dedicated platform thread
 * inside the endpoint's namespace; JUnit's thread never changes namespace.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Repeatable(Connections.class)
@ExtendWith(NetworkNamespaceExtension.class)
public @interface Connect {
  /** The network's name: one a {@link Network} of the class declares, or {@code bridge}. */
  String network();

  /** Other names of the endpoint on this network ({@code --network-alias}); each names one endpoint per network. */
  String[] aliases() default {};

  /** A fixed IPv4 address on this network ({@code --ip}); empty means the next free one. */
  String address() default "";

  /**
   * For an overlay network ({@link NetworkDriver#OVERLAY}), where it is required: the lab host (a
   * simulated Docker host, created on first use) the endpoint lives on, e.g. {@code "node2"}.
   * Endpoints on different lab hosts reach each other across the overlay. Other networks live on
   * the JVM's own lab host and refuse it.
   */
  String labHost() default "";
}
