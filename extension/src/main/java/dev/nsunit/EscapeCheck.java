package dev.nsunit;

import dev.nsunit.internal.escape.Escape;
import dev.nsunit.internal.escape.EscapeMonitor;
import dev.nsunit.internal.escape.EscapeReport;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Notices TCP and UDP sockets that the body of a namespaced test ({@code @BeforeEach}, the test,
 * {@code @AfterEach}) opens in the JVM's own network namespace instead of the test's: code that
 * runs on a thread outside the test's namespace does that. While the body runs, the JVM's
 * {@link EscapeMonitor} watches its own namespace; afterwards, as
 * {@value NsunitProperties#ESCAPES} says, the test fails with what it found, or passes and the
 * report is logged, or nothing is watched at all.
 */
final class EscapeCheck {
  /** What {@value NsunitProperties#ESCAPES} asks for. */
  enum Policy {
    FAIL, WARN, OFF
  }

  /** Where warnings go: java.util.logging, which every build tool shows. */
  static final Logger LOG = Logger.getLogger("dev.nsunit");
  private static final String PARALLEL = "junit.jupiter.execution.parallel.enabled";
  private static final AtomicBoolean MONITOR_FAILURE_LOGGED = new AtomicBoolean();

  private EscapeCheck() {}

  /** A body that may throw anything, rethrown unchanged. */
  interface Body {
    void run() throws Throwable;
  }

  /**
   * Runs {@code body} while the JVM's own namespace is watched, then acts on what was found.
   *
   * @param what the running method, for the message: {@code "test"} for the test method itself, or e.g.
   *     {@code "@BeforeEach setUp()"}
   * @param namespace the test's namespace, for the message
   */
  static void around(ExtensionContext context, String what, Optional<NetworkNamespace> namespace, Body body)
      throws Throwable {
    Policy policy = policy(context);
    if (policy == Policy.OFF) {
      body.run();
      return;
    }
    String test = "test " + context.getRequiredTestMethod().getName() + "()";
    String where = what.equals("test") ? test : test + " (in " + what + ")";
    Optional<EscapeMonitor.Window> window = begin(where);
    Throwable failure = null;
    try {
      body.run();
    } catch (Throwable t) {
      failure = t;
    }
    Optional<EscapeReport> report = window.flatMap(EscapeCheck::end);
    if (report.isPresent() && !report.get().escapes().isEmpty()) {
      String message = message(where, namespace, report.get(), policy, context);
      if (policy == Policy.FAIL) {
        IllegalStateException escaped = new IllegalStateException(message);
        if (failure == null) {
          throw escaped;
        }
        failure.addSuppressed(escaped); // the body's own failure stays the one reported, as TestThread promises
      } else {
        LOG.warning(message);
        context.publishReportEntry(NsunitProperties.ESCAPES, message);
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** The policy the configuration asks for; fails on a value that is not one. */
  static Policy policy(ExtensionContext context) {
    Optional<String> value = context.getConfigurationParameter(NsunitProperties.ESCAPES);
    if (value.isEmpty()) {
      return parallel(context) ? Policy.WARN : Policy.FAIL;
    }
    switch (value.get().trim().toLowerCase(Locale.ROOT)) {
      case "fail":
        return Policy.FAIL;
      case "warn":
        return Policy.WARN;
      case "off":
        return Policy.OFF;
      default:
        throw new ExtensionConfigurationException(NsunitProperties.ESCAPES + "=" + value.get()
            + " is not a valid value; use fail (the default), warn or off.");
    }
  }

  private static boolean parallel(ExtensionContext context) {
    return context.getConfigurationParameter(PARALLEL).map(v -> v.trim().equalsIgnoreCase("true")).orElse(false);
  }

  private static Optional<EscapeMonitor.Window> begin(String label) {
    try {
      return Optional.of(EscapeMonitor.forJvm().begin(label));
    } catch (RuntimeException e) {
      monitorFailed(e);
      return Optional.empty();
    }
  }

  private static Optional<EscapeReport> end(EscapeMonitor.Window window) {
    try {
      return Optional.of(window.end());
    } catch (RuntimeException e) {
      monitorFailed(e);
      return Optional.empty();
    }
  }

  /** Detection broke (the kernel refused a request): tests go on unwatched; said once per JVM. */
  private static void monitorFailed(RuntimeException e) {
    if (MONITOR_FAILURE_LOGGED.compareAndSet(false, true)) {
      LOG.log(Level.WARNING, "nsunit cannot watch the JVM's own network namespace for sockets that namespaced"
          + " tests open there, so such escapes go unnoticed (" + NsunitProperties.ESCAPES + "): " + e, e);
    }
  }

  /** Names the sockets, the likely cause and the fix. */
  static String message(String where, Optional<NetworkNamespace> namespace, EscapeReport report, Policy policy,
      ExtensionContext context) {
    StringBuilder m = new StringBuilder();
    m.append(where).append(" runs in ").append(namespace.map(NetworkNamespace::toString).orElse("a network namespace"))
        .append(", but opened ").append(report.escapes().size()).append(" socket(s) in the JVM's own network namespace")
        .append(" (net:[").append(report.namespaceInode()).append("]) instead:\n");
    for (Escape e : report.escapes()) {
      m.append("  ").append(e).append('\n');
    }
    m.append("Likely cause: code of the test ran on a thread outside the test's namespace, and such a thread opens its"
        + " sockets in the JVM's own namespace, where they can reach the real machine: a ForkJoinPool.commonPool()"
        + " worker (CompletableFuture.supplyAsync or runAsync without an executor, parallel streams), a virtual"
        + " thread, or a thread that a client library started earlier on JUnit's thread (an HTTP client's selector"
        + " or connection pool, a Netty event loop).\n");
    m.append("Fix: run that work on threads inside the namespace: pass ns.executor() (for example"
        + " CompletableFuture.supplyAsync(task, ns.executor())) or make threads with ns.threadFactory(), and create"
        + " clients inside the test so that their threads are born in its namespace. To report such sockets"
        + " without failing the test, set ").append(NsunitProperties.ESCAPES).append("=warn; to stop looking, ")
        .append(NsunitProperties.ESCAPES).append("=off.");
    if (!report.overlapping().isEmpty()) {
      m.append("\nOther namespaced tests ran at the same time and may have opened them instead: ")
          .append(String.join(", ", report.overlapping())).append('.');
    }
    if (!report.gaps().isEmpty()) {
      m.append("\nSockets that opened and closed meanwhile may be missing: ")
          .append(report.gaps().stream().distinct().collect(Collectors.joining("; "))).append('.');
    }
    if (policy == Policy.WARN && context.getConfigurationParameter(NsunitProperties.ESCAPES).isEmpty()) {
      m.append("\n(Reported, not failed: ").append(NsunitProperties.ESCAPES).append(" defaults to warn because ")
          .append(PARALLEL).append("=true, and tests that run at the same time outside any namespace open sockets"
          + " there too. Set ").append(NsunitProperties.ESCAPES).append("=fail if every test in this JVM runs in a"
          + " namespace of its own.)");
    }
    return m.toString();
  }
}
