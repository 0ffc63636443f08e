package dev.nsunit;

/**
 * The JUnit Platform configuration parameters nsunit reads (set them in
 * {@code junit-platform.properties}, as Surefire {@code configurationParameters}, or as system
 * properties).
 */
public final class NsunitProperties {
  private NsunitProperties() {}

  /**
   * What to do when the JVM lacks the privileges to create namespaces: {@code fail} (the default:
   * the test fails with a message saying how to get them) or {@code abort} (the test is skipped
   * with that message).
   */
  public static final String MISSING_PRIVILEGES = "nsunit.privileges.missing";

  /**
   * {@code true} turns on the leak check ({@link dev.nsunit.internal.leakcheck.LeakCheckListener}): the
   * run fails if, after the last test, the real host's links, addresses or routes changed, or
   * namespaces, processes, descriptors, threads or lab veths made by the tests remain. Off by
   * default. Read as a configuration parameter or a system property.
   */
  public static final String LEAK_CHECK = "nsunit.leakcheck";

  /**
   * Which named namespaces ({@code /run/netns/NAME}) the leak check counts: those whose name
   * starts with this prefix. Empty (the default) counts all; set it (this project uses
   * {@code nsu-}) when other software on the machine adds and removes named namespaces.
   */
  public static final String LEAK_CHECK_NETNS_PREFIX = "nsunit.leakcheck.netns-prefix";

  /**
   * Threads the per-test thread-leak check leaves out, by Java name: a comma-separated list of
   * patterns in which {@code *} stands for any characters, e.g.
   * {@code nsunit.threads.ignore=HttpClient-*-SelectorManager,OkHttp TaskRunner,Okio Watchdog}.
   * Empty by default: every thread a test leaves in its namespace fails that test.
   *
   * <p>For threads a library keeps on purpose and that open no sockets (a JVM-wide timer, a
   * selector that ends on its own). An ignored thread still keeps the namespace it sits in alive
   * until it ends; prefer closing the client, or giving it threads from
   * {@link NetworkNamespace#executor()} or {@link NetworkNamespace#threadFactory()}.
   */
  public static final String THREADS_IGNORE = "nsunit.threads.ignore";

  /**
   * What to do when the code of a test that runs in a namespace of its own (any mode but
   * {@link HostNetwork}) opens TCP or UDP sockets in the JVM's own network namespace instead, as
   * code on a thread outside the test's namespace does (a {@code ForkJoinPool.commonPool()}
   * worker, a virtual thread, a thread a client library started on JUnit's thread):
   * {@code fail} (the default: the test fails with the sockets' addresses, the likely cause and
   * the fix), {@code warn} (the test passes; the same report goes to the {@code dev.nsunit}
   * java.util.logging logger and, as a JUnit report entry, under this key) or {@code off}. With
   * {@code junit.jupiter.execution.parallel.enabled=true} the default is {@code warn}: tests that
   * run at the same time outside any namespace open sockets there too, and nsunit cannot tell
   * whose they are. See README, "Escapes", for what is detected and what is not.
   */
  public static final String ESCAPES = "nsunit.escapes";

  /**
   * {@code false} switches off the packet capture behind a failed test's pcap files. On by
   * default: each endpoint nsunit builds for a test has a packet socket read by one shared thread
   * ({@code nsunit-capture}) into a ring in memory, written only when the test fails. See README,
   * "When a test fails", for what it costs.
   */
  public static final String CAPTURE = "nsunit.capture";

  /**
   * The size of each endpoint's capture ring in bytes, {@code 1048576} (1 MiB) by default: when it
   * is full, the oldest frames go. Frames are kept up to 1518 bytes each.
   */
  public static final String CAPTURE_RING_BYTES = "nsunit.capture.ring-bytes";

  /**
   * Where a failed test's evidence goes when the JUnit Platform cannot take files (before 5.14):
   * {@code target/nsunit-evidence} by default; the report then carries each file's path as a
   * report entry. From JUnit 5.14 on, files are published through JUnit's own output directory.
   */
  public static final String EVIDENCE_DIR = "nsunit.evidence.dir";

  /**
   * How many namespaces nsunit builds ahead of time, so that a test does not wait for the kernel:
   * {@code 8} by default, {@code 0} for none, at most {@code 64}. The pool keeps that many blank
   * namespaces (for {@link NoNetwork} and {@link NetworkNamespace#create()}) and, once a bridge is
   * used, that many endpoints plugged into it (for {@link BridgeNetwork} with the default MTU;
   * address, MAC and routes are given when a test takes one, so addresses still come in
   * Docker's order). One thread, the namespace maker, builds them between tests; everything
   * pooled is held by descriptors only, and is closed when the run ends, after a second without
   * use, or when the JVM dies. Read as a configuration parameter (when the first test class
   * starts) or a system property (when nsunit is first used).
   */
  public static final String POOL_SIZE = "nsunit.pool.size";
}
