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
 * Publishes a TCP port of an endpoint on the JVM's own loopback, like {@code docker run -p}: a
 * userland proxy, like Docker's {@code docker-proxy}, listens on the host side and relays each
 * connection into the endpoint, whose server sees it come from the network's gateway.
 *
 * <pre>{@code
 * @BridgeNetwork @Publish("80")            // docker run -p 80 (a free host port)
 * static NetworkNamespace web;
 *
 * @Test void servesTheJvm() throws Exception {
 *   InetSocketAddress url = web.published(80);   // 127.0.0.1:41234
 *   ...
 * }
 * }</pre>
 *
 * <p>Forms: {@code "80"} (the host port is a free one), {@code "8080:80"}, and
 * {@code "127.0.0.1:8080:80"}; an optional {@code /tcp}. Unlike Docker, the host side is always
 * a loopback address of the JVM's namespace (127.0.0.1 unless given), never the machine's other
 * interfaces: nothing else on the host changes.
 *
 * <h2>Creation</h2>
 * Before the endpoint is built, the listener is bound: a host port that is taken fails the
 * endpoint before anything exists, naming the port. The relay then starts with the endpoint.
 *
 * <h2>Scope</h2>
 * Next to the endpoint's mode annotation ({@link BridgeNetwork} or {@link Connect}), on the same
 * field, method or class; repeatable. It targets the endpoint's address on its first network.
 * Endpoints with {@link NoNetwork}, {@link HostNetwork} or {@link SharedNetworkWith} cannot
 * publish, as in Docker.
 *
 * <h2>Cleanup</h2>
 * When the endpoint's scope ends, the listener and every relayed connection are closed, before
 * the namespace.
 *
 * <h2>Threads</h2>
 * One acceptor thread per published port and two per open connection, in the JVM's own
 * namespace (named {@code nsunit-publish-PORT...}); none is inside the endpoint.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.FIELD, ElementType.ANNOTATION_TYPE})
@Repeatable(Publishes.class)
@ExtendWith(NetworkNamespaceExtension.class)
public @interface Publish {
  /** {@code "PORT"}, {@code "HOSTPORT:PORT"} or {@code "HOSTIP:HOSTPORT:PORT"}, as {@code docker run -p}. */
  String value();
}
