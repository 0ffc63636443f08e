package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.testing.Shell;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.platform.commons.JUnitException;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/**
 * Issue 11, item 2: a socket of the JVM that keeps a namespace alive after its scope ended (a
 * server socket nobody closed, a pooled keep-alive connection) fails that test with a report
 * that names it, and its address is not handed out again while the ghost lives. Each fixture
 * leaks into a static field, so that the outer test can close what it leaked.
 */
class SocketLeakTests {
  static volatile ServerSocket leakedServer;
  static volatile Socket leakedClient;
  static volatile ServerSocket labServer;
  static volatile NetworkNamespace leakedIn;
  static volatile String ssLine;
  static volatile CountDownLatch accepting;

  static Events run(Class<?> fixture) {
    return EngineTestKit.engine("junit-jupiter").selectors(selectClass(fixture)).execute().testEvents();
  }

  static Throwable onlyFailure(Events events) {
    List<Event> failed = events.failed().list();
    assertThat(failed).as("failed events").hasSize(1);
    return leak(Failures.throwable(failed.get(0)));
  }

  /** The report of a leak, which JUnit wraps as it closes the scope's store. */
  static Throwable leak(Throwable failure) {
    assertThat(failure).isExactlyInstanceOf(JUnitException.class).hasMessage("Failed to close extension context");
    return failure.getCause();
  }

  /**
   * {@code ss}'s view of {@code ns}, run from a thread of the lab host: a process started from the
   * test's own thread would make the JDK's "process reaper" thread there, which keeps the
   * namespace alive.
   */
  static String ss(NetworkNamespace ns, String options) throws Exception {
    return EndpointFactory.labHost().call(() -> Shell.in(ns.path().toString(), "ss", options).trim());
  }

  @NoNetwork
  static class LeakedServerSocketTestCase {
    @Test
    void leavesAServerSocketOpen(NetworkNamespace ns) throws Exception {
      leakedIn = ns;
      leakedServer = new ServerSocket(7000);
      ssLine = ss(ns, "-Hltn"); // e.g. "LISTEN 0 50 *:7000 *:*"
    }
  }

  @Test
  void aServerSocketLeftOpenFailsItsTestWithAReportNamingIt() throws Exception {
    try {
      Throwable failure = onlyFailure(run(LeakedServerSocketTestCase.class));
      String local = ssLine.split("\\s+", -1)[3];
      assertThat(failure).isExactlyInstanceOf(IllegalStateException.class).hasMessage(SocketLeaks.message(
          "leavesAServerSocketOpen", leakedIn, List.of("tcp " + local + " LISTEN")));
      assertThat(failure.getMessage()).startsWith("test leavesAServerSocketOpen left 1 socket(s) open in network"
          + " namespace leavesAServerSocketOpen ").contains(": [tcp *:7000 LISTEN]. Each keeps the namespace alive");
    } finally {
      leakedServer.close();
    }
  }

  /** A client that keeps its connection to a server "on the Docker host", as a connection pool would. */
  @BridgeNetwork
  static class KeepAliveTestCase {
    @Test
    void keepsAConnectionOpen(NetworkNamespace ns) throws Exception {
      leakedIn = ns;
      leakedClient = new Socket();
      leakedClient.connect(new InetSocketAddress(labServer.getInetAddress(), labServer.getLocalPort()), 5_000);
      ssLine = ss(ns, "-Htn"); // "ESTAB 0 0 172.17.0.5:43210 172.17.0.1:40123"
    }
  }

  @Test
  void aKeepAliveConnectionLeftOpenFailsItsTestWithAReportNamingIt() throws Exception {
    NetworkNamespace lab = EndpointFactory.labHost();
    labServer = lab.call(() -> new ServerSocket(0, 50, InetAddresses.parse("172.17.0.1")));
    try {
      Throwable failure = onlyFailure(run(KeepAliveTestCase.class));
      String[] ss = ssLine.split("\\s+", -1);
      assertThat(failure).isExactlyInstanceOf(IllegalStateException.class).hasMessage(SocketLeaks.message(
          "keepsAConnectionOpen", leakedIn, List.of("tcp " + ss[3] + " -> " + ss[4] + " ESTAB")));
      assertThat(ss[4]).endsWith("172.17.0.1]:" + labServer.getLocalPort()); // [::ffff:172.17.0.1]: Java's sockets are IPv6
    } finally {
      // the ended endpoint's port is cut off, so a FIN would never be acknowledged and the orphaned
      // socket would keep the namespace for its retransmissions (about 100 s): reset instead
      leakedClient.setSoLinger(true, 0);
      leakedClient.close();
      labServer.close();
    }
  }

  /** A leak in a class-level endpoint is the class's. */
  static class ClassLevelTestCase {
    @NoNetwork static NetworkNamespace shared;

    @Test
    void leaksIntoTheSharedEndpoint() throws Exception {
      leakedIn = shared;
      leakedServer = shared.call(() -> new ServerSocket(7000));
      ssLine = ss(shared, "-Hltn");
    }
  }

  @Test
  void aSocketLeftOpenInAClassLevelEndpointFailsTheClass() throws Exception {
    try {
      Events events = EngineTestKit.engine("junit-jupiter").selectors(selectClass(ClassLevelTestCase.class)).execute()
          .allEvents();
      events.assertStatistics(s -> s.failed(1)); // the class container, not the test
      Throwable failure = onlyFailure(events);
      assertThat(failure).isExactlyInstanceOf(IllegalStateException.class).hasMessage(SocketLeaks.message(
          null, leakedIn, List.of("tcp " + ssLine.split("\\s+", -1)[3] + " LISTEN")));
    } finally {
      leakedServer.close();
    }
  }

  /**
   * Not leaks: sockets closed by the test, TIME-WAIT leftovers of closed connections, and a server
   * a pool thread of the namespace still runs when the scope ends (releasing the namespace
   * interrupts it, which closes its channel).
   */
  @NoNetwork
  static class CleanTestCase {
    @Test
    void closesWhatItOpens(NetworkNamespace ns) throws Exception {
      InetAddress lo = InetAddress.getLoopbackAddress();
      try (ServerSocket server = new ServerSocket(7000, 50, lo); Socket c = new Socket(lo, 7000); Socket s = server.accept()) {
        s.getOutputStream().write(1);
        c.getInputStream().read();
      } // the side that closed first keeps a TIME-WAIT entry, which has no inode and pins nothing
    }

    @Test
    void leavesAnInterruptibleServerToTheRelease(NetworkNamespace ns) throws Exception {
      CountDownLatch started = new CountDownLatch(1);
      ns.executor().execute(() -> {
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
          server.bind(new InetSocketAddress(7001));
          started.countDown();
          server.accept(); // until the release interrupts this thread, which closes the channel
        } catch (Exception expected) {
          // ClosedByInterruptException
        }
      });
      assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void socketsClosedByTheTestOrByTheReleaseAreNotLeaks() {
    Events events = run(CleanTestCase.class);
    assertThat(Failures.of(events)).isEmpty();
    events.assertStatistics(s -> s.started(2).succeeded(2));
  }

  /**
   * A ghost keeps its fixed address: the first test leaks a server socket in {@code svc}, so the
   * next test's {@code svc} cannot have 172.17.0.201 while that namespace lives.
   */
  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class GhostTestCase {
    @BridgeNetwork(address = "172.17.0.201") NetworkNamespace svc;

    @Test
    @Order(1)
    void leaksAServerInSvc() throws Exception {
      leakedIn = svc;
      leakedServer = svc.call(() -> new ServerSocket(7000));
    }

    @Test
    @Order(2)
    void wantsSvcsAddressAgain() {}
  }

  @TestMethodOrder(MethodOrderer.OrderAnnotation.class)
  static class AfterTheGhostTestCase {
    @BridgeNetwork(address = "172.17.0.201") NetworkNamespace svc;

    @Test
    void getsTheAddressOnceTheGhostIsGone() {}
  }

  @Test
  void aGhostKeepsItsAddressUntilItsNamespaceIsReallyGone() throws Exception {
    try {
      Events events = run(GhostTestCase.class);
      List<Event> failed = events.failed().list();
      assertThat(failed).hasSize(2);
      assertThat(leak(Failures.throwable(failed.get(0)))).hasMessageStartingWith(
          "test leaksAServerInSvc left 1 socket(s) open in network namespace svc ");
      assertThat(Failures.throwable(failed.get(1)))
          .hasMessageStartingWith("@BridgeNetwork on [field GhostTestCase.svc]: address 172.17.0.201 requested by endpoint svc is"
              + " still held by a ghost: the namespace of ended endpoint svc (")
          .hasMessageContaining("kept alive by 1 socket(s) of this JVM (socket:[");
    } finally {
      leakedServer.close();
    }
    // the namespace goes with its last socket; the address is handed out again (after waiting, if need be)
    Events after = run(AfterTheGhostTestCase.class);
    assertThat(Failures.of(after)).isEmpty();
  }
}
