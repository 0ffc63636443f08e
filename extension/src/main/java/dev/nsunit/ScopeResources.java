package dev.nsunit;

import dev.nsunit.internal.ns.FailureCollector;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What one scope (a class's static endpoints, or one test) built. JUnit closes it with the
 * scope's store: it stops the test thread, drops the namespaces in reverse order of creation,
 * then reports threads the test started and left running inside them, and sockets of the JVM
 * it left open in them ({@link SocketLeaks}).
 */
final class ScopeResources implements AutoCloseable {
  private final String test; // null for the class scope
  private final List<NetworkNamespace> owned = new ArrayList<>();
  private NetworkNamespace testNamespace;
  private TestThread testThread;

  private ScopeResources(String test) {
    this.test = test;
  }

  static ScopeResources forClass() {
    return new ScopeResources(null);
  }

  static ScopeResources forTest(String test) {
    return new ScopeResources(test);
  }

  /** Takes ownership of {@code ns}; returns it. */
  NetworkNamespace own(NetworkNamespace ns) {
    owned.add(ns);
    return ns;
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
      List<String> leaked = ThreadLeaks.tasksIn(ns.id().inode());
      if (!leaked.isEmpty()) {
        failures.add(new IllegalStateException((test == null ? "the class-level endpoints" : "test " + test)
            + " left " + leaked.size() + " thread(s) running in " + ns + " after " + (test == null ? "the class" : "it")
            + " ended: " + leaked + ". nsunit closed the namespace's descriptors, but each of these threads keeps"
            + " the namespace alive until it exits. Stop threads you start (interrupt and join them) before the"
            + " test or its @AfterEach returns."));
      }
    }
    sockets.report(test, failures);
    failures.throwIfAny();
  }
}
