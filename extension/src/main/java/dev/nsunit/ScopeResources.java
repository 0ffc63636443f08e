package dev.nsunit;

import dev.nsunit.internal.capture.PacketCapture;
import dev.nsunit.internal.ns.FailureCollector;
import dev.nsunit.internal.ns.Netns;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one scope (a class's static endpoints, or one test) built. JUnit closes it with the
 * scope's store: it stops the test thread, drops the namespaces in reverse order of creation,
 * then reports threads the test started and left running inside them, and sockets of the JVM
 * it left open in them ({@link SocketLeaks}).
 */
final class ScopeResources implements AutoCloseable {
  private final String test; // null for the class scope
  private final IgnoredThreads ignoredThreads;
  private final List<NetworkNamespace> owned = new ArrayList<>();
  private final List<Fault> faults = new ArrayList<>();
  private final long captureBytes;
  private final List<Map.Entry<Netns, PacketCapture.Session>> captures = new ArrayList<>();
  private NetworkNamespace testNamespace;
  private TestThread testThread;

  private ScopeResources(String test, IgnoredThreads ignoredThreads, long captureBytes) {
    this.test = test;
    this.ignoredThreads = ignoredThreads;
    this.captureBytes = captureBytes;
  }

  /** @param captureBytes the ring of each endpoint's packet capture, 0 for none */
  static ScopeResources forClass(IgnoredThreads ignoredThreads, long captureBytes) {
    return new ScopeResources(null, ignoredThreads, captureBytes);
  }

  /** @param captureBytes the ring of each endpoint's packet capture, 0 for none */
  static ScopeResources forTest(String test, IgnoredThreads ignoredThreads, long captureBytes) {
    return new ScopeResources(test, ignoredThreads, captureBytes);
  }

  /** Takes ownership of {@code ns}, and starts capturing its packets; returns it. */
  NetworkNamespace own(NetworkNamespace ns) {
    owned.add(ns);
    Captures.start(ns, captureBytes).ifPresent(c -> captures.add(Map.entry(ns.netns(), c)));
    return ns;
  }

  /** Takes a declared fault, to heal it when the scope ends, before its namespaces go; returns it. */
  Fault adopt(Fault fault) {
    faults.add(fault);
    return fault;
  }

  /** Makes {@code ns} the test's namespace, run on a thread inside it unless it is the JVM's own. */
  void runTestIn(NetworkNamespace ns, boolean needsThread) {
    testNamespace = ns;
    if (needsThread) {
      testThread = new TestThread(test, ns.netns().threadFactory());
    }
  }

  Optional<NetworkNamespace> testNamespace() {
    return Optional.ofNullable(testNamespace);
  }

  Optional<TestThread> testThread() {
    return Optional.ofNullable(testThread);
  }

  @Override
  public void close() {
    FailureCollector failures = new FailureCollector();
    if (testThread != null) {
      failures.run(testThread::close);
    }
    for (Map.Entry<Netns, PacketCapture.Session> c : captures) {
      failures.run(() -> Captures.stop(c.getKey(), c.getValue())); // its socket holds the namespace
    }
    for (int i = faults.size() - 1; i >= 0; i--) {
      failures.run(faults.get(i)::close); // first: a class-scoped endpoint outlives the test, its fault must not
    }
    List<NetworkNamespace> inspect = new ArrayList<>();
    long hostInode = ThreadLeaks.hostInode();
    SocketLeaks sockets = SocketLeaks.before(owned, hostInode, failures);
    for (int i = owned.size() - 1; i >= 0; i--) {
      NetworkNamespace ns = owned.get(i);
      if (ns.id().inode() != hostInode) {
        inspect.add(ns);
      }
      failures.run(ns::release);
    }
    // released: any task still inside one of them is a thread the test started and left running
    for (NetworkNamespace ns : inspect) {
      List<String> leaked = ThreadLeaks.tasksIn(ns.id().inode(), ignoredThreads);
      if (!leaked.isEmpty()) {
        failures.add(new IllegalStateException(ThreadLeaks.report(test == null ? "the class-level endpoints"
            : "test " + test, test == null ? "the class" : "it", ns, leaked)));
      }
    }
    sockets.report(test, failures);
    failures.throwIfAny();
  }
}
