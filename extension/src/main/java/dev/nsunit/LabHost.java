package dev.nsunit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a {@link NetworkNamespace} parameter that should receive the lab host: the per-JVM
 * namespace that plays the Docker host and holds the bridges (the gateway 172.17.0.1 lives
 * there). Use it to start a server "on the host" that bridge endpoints can reach.
 *
 * <pre>{@code
 * @BridgeNetwork
 * @Test void reachesTheHost(NetworkNamespace ns, @LabHost NetworkNamespace lab) throws Exception {
 *   try (ServerSocket server = lab.call(() -> new ServerSocket(8080))) {
 *     assertThat(ns).canReach("172.17.0.1", 8080); // NetworkAssertions, nsunit-assertions
 *   }
 * }
 * }</pre>
 *
 * <p>The lab host lives until the JVM exits; {@code close()} on the injected handle does nothing.
 * The annotation registers nsunit's extension by itself, so it works on a test with no network
 * mode too.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
@ExtendWith(NetworkNamespaceExtension.class)
public @interface LabHost {}
