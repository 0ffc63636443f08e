package dev.nsunit;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.UserlandProxy;
import dev.nsunit.model.InetAddresses;
import java.io.IOException;
import java.lang.reflect.AnnotatedElement;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Published ports ({@link Publish}, {@link NetworkNamespace#publish}): their syntax, checked
 * before anything is built, and the proxies that serve them.
 */
final class PortPublishing {
  private static final Pattern FORM = Pattern.compile("(?:(?:(\\d{1,3}(?:\\.\\d{1,3}){3}|\\[::1\\]):)?(\\d+):)?(\\d+)(/tcp)?");
  private static final String FORMS = "\"80\", \"8080:80\" or \"127.0.0.1:8080:80\"";

  private PortPublishing() {}

  /** One {@code -p}: the host side (a loopback address, port 0 for a free one) and the endpoint's port. */
  record Spec(InetAddress hostAddress, int hostPort, int port) {}

  /** A port being published, until closed. */
  record Published(PublishedPort view, UserlandProxy proxy) implements AutoCloseable {
    @Override
    public void close() {
      proxy.close();
    }
  }

  /** The {@link Publish} annotations on {@code element}, parsed; empty if none. */
  static List<Spec> of(AnnotatedElement element) {
    List<Spec> out = new ArrayList<>();
    for (Publish p : AnnotationSupport.findRepeatableAnnotations(element, Publish.class)) {
      out.add(parse(p.value()));
    }
    return out;
  }

  /** Whether {@code element} publishes a port. */
  static boolean publishes(AnnotatedElement element) {
    return !AnnotationSupport.findRepeatableAnnotations(element, Publish.class).isEmpty();
  }

  /**
   * Parses {@code docker run -p}'s TCP forms.
   *
   * @throws IllegalArgumentException naming the value, the rule and the fix
   */
  static Spec parse(String text) {
    if (text.endsWith("/udp") || text.endsWith("/sctp")) {
      throw new IllegalArgumentException("@Publish(\"" + text + "\"): only TCP ports are published (a TCP proxy,"
          + " like docker-proxy for TCP); remove the protocol, or write /tcp.");
    }
    Matcher m = FORM.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException("@Publish(\"" + text + "\") is not a port mapping: write " + FORMS
          + ", as docker run -p does (TCP).");
    }
    InetAddress host;
    try {
      host = m.group(1) == null ? InetAddress.getByAddress(new byte[] {127, 0, 0, 1})
          : InetAddress.getByName(m.group(1).replace("[", "").replace("]", ""));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("@Publish(\"" + text + "\"): " + m.group(1) + " is not an IP address;"
          + " write " + FORMS + ".", e);
    }
    if (!host.isLoopbackAddress()) {
      throw new IllegalArgumentException("@Publish(\"" + text + "\"): the host side must be a loopback address of"
          + " the JVM, e.g. 127.0.0.1: nsunit never listens on the machine's other interfaces. Write "
          + FORMS + ".");
    }
    int hostPort = m.group(2) == null ? 0 : port(m.group(2), text, "host port");
    return new Spec(host, hostPort, port(m.group(3), text, "port"));
  }

  private static int port(String digits, String text, String what) {
    int p;
    try {
      p = Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      p = -1;
    }
    if (p < 1 || p > 65535) {
      throw new IllegalArgumentException("@Publish(\"" + text + "\"): the " + what + " " + digits + " is not"
          + " between 1 and 65535. Write " + FORMS + ".");
    }
    return p;
  }

  /**
   * Listens on the spec's host side, relaying each connection from the lab host to the
   * endpoint's address that {@code target} gives at that moment (empty: the connection is closed).
   *
   * @throws IllegalArgumentException if the host port is taken, naming it
   */
  static Published bind(Spec spec, String endpoint, Supplier<Optional<InetAddress>> target) {
    InetSocketAddress listen = new InetSocketAddress(spec.hostAddress(), spec.hostPort());
    UserlandProxy proxy;
    try {
      proxy = UserlandProxy.start(listen, () -> {
        InetAddress to = target.get().orElseThrow(() -> new IOException(endpoint + " is on no network"));
        SocketChannel ch = Lab.get().netns().setUp(() -> SocketChannel.open(
            to instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6));
        try {
          ch.connect(new InetSocketAddress(to, spec.port()));
          return ch;
        } catch (IOException | RuntimeException e) {
          ch.close();
          throw e;
        }
      });
    } catch (BindException e) {
      throw new IllegalArgumentException("cannot publish port " + spec.port() + " of " + endpoint + " on "
          + InetAddresses.format(spec.hostAddress()) + ":" + spec.hostPort() + ": " + e.getMessage()
          + " (another program or test holds it; `ss -tlnp 'sport = :" + spec.hostPort() + "'` shows which)."
          + " Pick another host port, or let nsunit pick a free one: @Publish(\"" + spec.port() + "\").", e);
    } catch (IOException e) {
      throw new IllegalStateException("cannot publish port " + spec.port() + " of " + endpoint + ": " + e, e);
    }
    InetSocketAddress actual = proxy.address();
    return new Published(new PublishedPort(actual, spec.port()), proxy);
  }
}
