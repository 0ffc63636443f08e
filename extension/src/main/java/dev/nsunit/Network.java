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
 * Declares a user-defined network in the lab, like {@code docker network create --subnet SUBNET
 * [--gateway GATEWAY] [--internal] NAME}: a bridge of its own. Endpoints join it with
 * {@link Connect}; endpoints on one network reach each other, endpoints on different networks do
 * not (nothing is routed between networks), and an endpoint on two networks reaches both.
 *
 * <pre>{@code
 * @Network(name = "frontend", subnet = "172.18.0.0/16")
 * @Network(name = "backend", subnet = "172.19.0.0/16", internal = true)
 * class ShopTests {
 *   @Connect(network = "backend", aliases = "db") static NetworkNamespace redis;
 *   @Connect(network = "frontend") @Connect(network = "backend") static NetworkNamespace api;
 *
 *   @Test @Connect(network = "frontend")
 *   void webReachesTheApi(NetworkNamespace web) {
 *     assertThat(web).canReach(api.ipv4Address("frontend").orElseThrow().getHostAddress());
 *   }
 * }
 * }</pre>
 *
 * <h2>Creation</h2>
 * Before the class's first endpoint is built, in the lab host (see {@link BridgeNetwork}): a
 * bridge with a fixed MAC, the gateway address, forwarding on so that the lab answers what it
 * will not route with an ICMP error. All settings are checked first, for every network of the
 * class, and a bad one fails the class before anything is built.
 *
 * <h2>Scope</h2>
 * On a test class, repeatable; {@code @Nested} classes see their enclosing classes' networks. A
 * network belongs to the lab, that is the JVM: another class that declares the same name must
 * declare the same settings, and gets the same network. The name {@code bridge} is Docker's
 * default network ({@link BridgeNetwork}'s), which needs no declaration.
 *
 * <h2>Cleanup</h2>
 * The bridge lives as long as the lab and disappears with the JVM, however it ends; endpoints'
 * interfaces go with their namespaces.
 *
 * <h2>Threads</h2>
 * Declaring a network starts no thread.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.ANNOTATION_TYPE})
@Repeatable(Networks.class)
@ExtendWith(NetworkNamespaceExtension.class)
public @interface Network {
  /** The network's name, e.g. {@code backend}: letters, digits, '_', '.' and '-', as Docker allows. */
  String name();

  /** The subnet in CIDR notation, IPv4; empty means the first free one of 172.18.0.0/16, 172.19.0.0/16, ... */
  String subnet() default "";

  /** The gateway, a host of the subnet; empty means the subnet's first host, e.g. 172.18.0.1. */
  String gateway() default "";

  /** Whether endpoints get no default route through this network, as with {@code --internal}. */
  boolean internal() default false;

  /**
   * The IPv6 subnet of a dual-stack network, as {@code docker network create --ipv6 --subnet
   * fd00:18::/64}; empty means IPv4 only. The gateway is its first address ({@code fd00:18::1}),
   * endpoints get the address with their IPv4 address's host number ({@code 172.18.0.3} is
   * {@code fd00:18::3}) and, unless the network is internal, a default route via the gateway.
   */
  String ipv6Subnet() default "";

  /**
   * The driver, as {@code docker network create -d}: a bridge of its own (the default), or
   * macvlan / ipvlan children of a parent interface in the lab (see {@link NetworkDriver}).
   */
  NetworkDriver driver() default NetworkDriver.BRIDGE;
}
