package dev.nsunit;

import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The faults a test declares ({@link Latency}, {@link PacketLoss}, {@link RateLimit},
 * {@link LinkDown}, {@link Partition}): read and checked before anything is built, applied once
 * the endpoints exist.
 */
final class FaultAnnotations {
  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(us|ms|s)");
  private static final Pattern RATE = Pattern.compile("(\\d+)\\s*(bit|kbit|mbit|gbit)", Pattern.CASE_INSENSITIVE);

  /** One declared fault, checked: applying it needs only the endpoints. */
  interface Declared {
    Fault apply(Function<String, NetworkNamespace> endpoints);
  }

  private FaultAnnotations() {}

  /**
   * The faults declared on {@code method} (or, for each kind it does not declare, on its class).
   *
   * @param endpoints the names of the class's endpoint fields
   * @param ownNamespace whether the test has a namespace of its own (named by "")
   * @throws ExtensionConfigurationException naming the annotation, for a malformed value or an unknown endpoint
   */
  static List<Declared> of(Method method, Class<?> testClass, Set<String> endpoints, boolean ownNamespace) {
    String where = "test " + method.getName() + "()";
    List<Declared> out = new ArrayList<>();
    find(method, testClass, Latency.class).ifPresent(a -> {
      String text = "@Latency(\"" + a.value() + "\") on " + where;
      Duration delay = duration(a.value(), text);
      Duration jitter = duration(a.jitter(), text);
      String name = endpoint(a.endpoint(), text, endpoints, ownNamespace);
      out.add(e -> Faults.latency(e.apply(name), delay, jitter, a.direction()));
    });
    find(method, testClass, PacketLoss.class).ifPresent(a -> {
      String text = "@PacketLoss(percent = " + a.percent() + ") on " + where;
      if (!(a.percent() > 0 && a.percent() <= 100)) {
        throw new ExtensionConfigurationException(text + ": loss is a percentage above 0 and at most 100.");
      }
      if (a.seed().length > 1) {
        throw new ExtensionConfigurationException(text + ": give one seed (seed = 42), not " + a.seed().length + ".");
      }
      String name = endpoint(a.endpoint(), text, endpoints, ownNamespace);
      out.add(e -> a.seed().length == 0 ? Faults.loss(e.apply(name), a.percent(), a.direction())
          : Faults.loss(e.apply(name), a.percent(), a.direction(), a.seed()[0]));
    });
    find(method, testClass, RateLimit.class).ifPresent(a -> {
      String text = "@RateLimit(\"" + a.value() + "\") on " + where;
      long rate = rate(a.value(), text);
      String name = endpoint(a.endpoint(), text, endpoints, ownNamespace);
      out.add(e -> Faults.rateLimit(e.apply(name), rate, a.direction()));
    });
    find(method, testClass, LinkDown.class).ifPresent(a -> {
      String text = "@LinkDown(\"" + a.value() + "\") on " + where;
      String name = endpoint(a.endpoint(), text, endpoints, ownNamespace);
      out.add(e -> Faults.linkDown(e.apply(name), a.value()));
    });
    find(method, testClass, Partition.class).ifPresent(a -> {
      String text = "@Partition(" + String.join(", ", a.value()) + ") on " + where;
      if (a.value().length != 2 || a.value()[0].equals(a.value()[1])) {
        throw new ExtensionConfigurationException(text + ": name two different endpoints, like"
            + " @Partition({\"api\", \"db\"}); for groups, call Faults.partition(List, List, Blocking).");
      }
      String one = endpoint(a.value()[0], text, endpoints, ownNamespace);
      String other = endpoint(a.value()[1], text, endpoints, ownNamespace);
      out.add(e -> Faults.partition(e.apply(one), e.apply(other), a.how()));
    });
    return out;
  }

  private static <A extends Annotation> Optional<A> find(Method method, Class<?> testClass, Class<A> type) {
    Optional<A> onMethod = AnnotationSupport.findAnnotation(method, type);
    return onMethod.isPresent() ? onMethod : AnnotationSupport.findAnnotation(testClass, type);
  }

  private static String endpoint(String name, String text, Set<String> endpoints, boolean ownNamespace) {
    if (name.isEmpty()) {
      if (!ownNamespace) {
        throw new ExtensionConfigurationException(text + " names no endpoint, and the test has no namespace of"
            + " its own; name an endpoint field (endpoint = \"db\"; one of " + endpoints + "), or give the test a"
            + " mode such as @BridgeNetwork.");
      }
      return name;
    }
    if (!endpoints.contains(name)) {
      throw new ExtensionConfigurationException(text + " names endpoint \"" + name + "\", which is no endpoint"
          + " field of the class; its endpoints are " + endpoints + (ownNamespace ? " (and \"\", the test's own)" : "")
          + ".");
    }
    return name;
  }

  static Duration duration(String text, String where) {
    Matcher m = DURATION.matcher(text.trim());
    if (!m.matches()) {
      throw new ExtensionConfigurationException(where + ": \"" + text + "\" is not a duration; write a whole number"
          + " with us, ms or s, like \"50ms\" or \"1s\".");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "us" -> Duration.ofNanos(n * 1000);
      case "ms" -> Duration.ofMillis(n);
      default -> Duration.ofSeconds(n);
    };
  }

  static long rate(String text, String where) {
    Matcher m = RATE.matcher(text.trim());
    if (!m.matches()) {
      throw new ExtensionConfigurationException(where + ": \"" + text + "\" is not a rate; write it in tc's bit"
          + " units, like \"10mbit\", \"512kbit\" or \"1gbit\" (k = 1000; bytes a second are not accepted).");
    }
    long n = Long.parseLong(m.group(1));
    long bits = switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "kbit" -> n * 1_000;
      case "mbit" -> n * 1_000_000;
      case "gbit" -> n * 1_000_000_000;
      default -> n;
    };
    if (bits < 8_000) {
      throw new ExtensionConfigurationException(where + ": a rate limit is at least 8kbit (1000 bytes a second).");
    }
    return bits;
  }
}
