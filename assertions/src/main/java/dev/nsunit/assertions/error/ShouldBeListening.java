package dev.nsunit.assertions.error;

import dev.nsunit.model.NetworkSnapshot;
import dev.nsunit.model.InetSocket;
import dev.nsunit.model.SocketOwner;
import java.util.List;

/** Failures about listening sockets (sock_diag, like {@code ss -ltnu}). */
public final class ShouldBeListening extends NetworkErrorMessageFactory {

  private ShouldBeListening(String format, String namespace, NetworkSnapshot snapshot, Object... args) {
    super(format, namespace, snapshot, args);
  }

  /** Nothing listens where {@code expected} (e.g. {@code "TCP on *:6379"}) says. */
  public static ShouldBeListening shouldBeListening(String namespace, String expected, NetworkSnapshot snapshot) {
    return new ShouldBeListening("%nExpecting %s%nto be listening on:%n  %s%nbut its sockets are:%n  %s",
        namespace, snapshot, raw(namespace), raw(expected), lines(snapshot.sockets()));
  }

  /** Something listens where nothing should. */
  public static ShouldBeListening shouldNotBeListening(String namespace, String expected, List<InetSocket> found,
      NetworkSnapshot snapshot) {
    return new ShouldBeListening("%nExpecting %s%nnot to be listening on:%n  %s%nbut found:%n  %s",
        namespace, snapshot, raw(namespace), raw(expected), lines(found));
  }

  /** The socket's property (e.g. {@code "dual-stack"}) differs. */
  public static ShouldBeListening shouldHaveSocketProperty(String namespace, InetSocket socket, String property,
      Object expected, Object actual, NetworkSnapshot snapshot) {
    return new ShouldBeListening("%nExpecting socket%n  %s%nin %s%nto be %s: %s%nbut was: %s",
        namespace, snapshot, raw(socket.toString()), raw(namespace), raw(property), expected, actual);
  }

  /** The socket is not held by the expected process. */
  public static ShouldBeListening shouldBeOwnedBy(String namespace, InetSocket socket, String expected,
      List<SocketOwner> owners) {
    return new ShouldBeListening("%nExpecting socket%n  %s%nin %s%nto be owned by:%n  %s%nbut its owners are:%n  %s",
        namespace, null, raw(socket.toString()), raw(namespace), raw(expected), lines(owners));
  }
}
