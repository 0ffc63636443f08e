package dev.nsunit.assertions;

import static dev.nsunit.assertions.error.ShouldBeListening.shouldBeOwnedBy;
import static dev.nsunit.assertions.error.ShouldBeListening.shouldHaveSocketProperty;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.model.InetSocket;
import dev.nsunit.model.SocketOwner;
import java.util.List;
import java.util.Objects;

/**
 * Assertions on one listening socket, reached with {@link NamespaceAssert#isListeningOn(int)} and
 * its variants.
 */
public class ListenerAssert extends AbstractNetworkAssert<ListenerAssert, InetSocket> {

  /** Prefer {@link NamespaceAssert#isListeningOn}; public for AssertJ's soft-assertion proxies. */
  public ListenerAssert(InetSocket socket) {
    super(socket, ListenerAssert.class);
  }

  /**
   * Verifies that the socket is an IPv6 wildcard socket that also takes IPv4 ({@code *:port} in
   * {@code ss}): Java's default for {@code new ServerSocket(port)}.
   *
   * <pre>{@code
   * // passes for new ServerSocket(8080)
   * assertThat(ns).isListeningOn(8080).isDualStack();
   * // fails for a server bound to 0.0.0.0:8080 (IPv4 only)
   * assertThat(ns).isListeningOn(8080).isDualStack();
   * }</pre>
   */
  public ListenerAssert isDualStack() {
    if (nothingToCheck()) {
      return myself;
    }
    if (!actual.isDualStack()) {
      report(shouldHaveSocketProperty(context().name, actual, "dual-stack", true, false, context().snapshot));
    }
    return myself;
  }

  /**
   * Verifies that process {@code pid} holds the socket. Owners are found like {@code ss -p} does,
   * through {@code /proc/<pid>/fd}; a socket opened by this JVM (on any thread) belongs to the
   * JVM's pid.
   *
   * <pre>{@code
   * // passes for a ServerSocket opened by the test itself
   * assertThat(ns).isListeningOn(8080).isOwnedBy(ProcessHandle.current().pid());
   * // fails for a socket held by a server process the test started
   * assertThat(ns).isListeningOn(6379).isOwnedBy(ProcessHandle.current().pid());
   * }</pre>
   */
  public ListenerAssert isOwnedBy(long pid) {
    if (nothingToCheck()) {
      return myself;
    }
    List<SocketOwner> owners = NetworkNamespace.ownersOf(actual);
    if (owners.stream().noneMatch(o -> o.pid() == pid)) {
      report(shouldBeOwnedBy(context().name, actual, "pid " + pid, owners));
    }
    return myself;
  }

  /**
   * Verifies that a process whose command name ({@code /proc/<pid>/comm}) is {@code command}
   * holds the socket.
   *
   * <pre>{@code
   * // passes for: ns.start(new ProcessBuilder("redis-server", "--port", "6379"))
   * assertThat(ns).isListeningOn(6379).isOwnedByCommand("redis-server");
   * // fails
   * assertThat(ns).isListeningOn(6379).isOwnedByCommand("nginx");
   * }</pre>
   */
  public ListenerAssert isOwnedByCommand(String command) {
    Objects.requireNonNull(command, "command");
    if (nothingToCheck()) {
      return myself;
    }
    List<SocketOwner> owners = NetworkNamespace.ownersOf(actual);
    if (owners.stream().noneMatch(o -> o.command().equals(command))) {
      report(shouldBeOwnedBy(context().name, actual, "command " + command, owners));
    }
    return myself;
  }
}
