package dev.nsunit.internal.escape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.groups.Tuple.tuple;

import dev.nsunit.internal.escape.Escape.Evidence;
import dev.nsunit.internal.escape.OwnSockets.OwnSocket;
import dev.nsunit.internal.netlink.SockDiagEntry;
import dev.nsunit.model.InetSocket;
import dev.nsunit.model.InetSocket.Protocol;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link Attribution} on hand-made snapshots: which sockets count as this JVM's; no kernel needed. */
class AttributionTests {
  private static final int ESTAB = 1;
  private static final int FIN_WAIT_2 = 5;
  private static final int UNCONN = 7;
  private static final int LISTEN = 10;

  // servers of this JVM that existed when the window opened: TCP (dual-stack, any address) and UDP
  private static final SockDiagEntry SERVER = entry(1, tcp(LISTEN, "::", 8080, "::", 0));
  private static final SockDiagEntry UDP_SERVER = entry(2, udp(UNCONN, "127.0.0.1", 5353, "0.0.0.0", 0));

  @Test
  void aNewSocketThisJvmHoldsCountsWithItsDescriptor() {
    SockDiagEntry client = entry(7, tcp(ESTAB, mapped("127.0.0.1"), 40000, mapped("192.0.2.1"), 80));
    List<Escape> escapes = Attribution.of(start(), end(List.of(own(42, client))), List.of(), Set.of(), false);
    assertThat(escapes).containsExactly(new Escape(client.socket(), 7, Evidence.DESCRIPTOR, 42));
    assertThat(escapes.get(0)).hasToString(
        "tcp ESTAB [::ffff:127.0.0.1]:40000 -> [::ffff:192.0.2.1]:80, still open (fd 42)");
  }

  @Test
  void aNewSocketOfAnotherProcessDoesNotCountEvenInAPrivateNamespace() {
    SockDiagEntry theirs = entry(7, udp(UNCONN, "127.0.0.1", 40000, "0.0.0.0", 0).inode(300));
    assertThat(Attribution.of(start(), end(List.of(), theirs), List.of(), Set.of(), true)).isEmpty();
  }

  @Test
  void socketsSeenAtTheStartNeverCountEvenWhenTheyCloseMeanwhile() {
    SockDiagEntry ours = entry(5, tcp(ESTAB, "127.0.0.1", 40000, "127.0.0.1", 8080));
    SockDiagEntry theirs = entry(6, udp(ESTAB, "127.0.0.1", 40001, "127.0.0.1", 5353).inode(300));
    Snapshot start = new Snapshot(List.of(SERVER, UDP_SERVER, theirs), List.of(own(10, SERVER), own(11, UDP_SERVER),
        own(20, ours)));
    List<Escape> escapes = Attribution.of(start, end(List.of()),
        List.of(entry(5, tcp(UNCONN, "127.0.0.1", 40000, "127.0.0.1", 8080)),
            entry(6, udp(ESTAB, "127.0.0.1", 40001, "127.0.0.1", 5353))), Set.of(), true);
    assertThat(escapes).isEmpty();
  }

  @Test
  void aConnectionAcceptedByAServerThatExistedAtTheStartDoesNotCountButItsClientDoes() {
    SockDiagEntry accepted = entry(8, tcp(ESTAB, mapped("127.0.0.1"), 8080, mapped("127.0.0.1"), 40000));
    SockDiagEntry client = entry(9, tcp(ESTAB, mapped("127.0.0.1"), 40000, mapped("127.0.0.1"), 8080));
    List<Escape> escapes = Attribution.of(start(), end(List.of(own(21, accepted), own(22, client))), List.of(),
        Set.of(), false);
    assertThat(escapes).extracting(Escape::cookie).containsExactly(9L);
  }

  @Test
  void inASharedNamespaceAClosedSocketCountsOnlyWhenItsPeerIsAServerOfThisJvm() {
    // the IPv4 client of a dual-stack server: the server's wildcard matches any address
    SockDiagEntry toOurServer = entry(10, tcp(UNCONN, "127.0.0.1", 40001, "127.0.0.1", 8080));
    SockDiagEntry toOurUdp = entry(11, udp(ESTAB, mapped("127.0.0.1"), 40002, mapped("127.0.0.1"), 5353));
    SockDiagEntry elsewhere = entry(12, tcp(UNCONN, "127.0.0.1", 40003, "127.0.0.1", 6379));
    SockDiagEntry unconnected = entry(13, udp(UNCONN, "0.0.0.0", 40004, "0.0.0.0", 0));
    SockDiagEntry wrongAddress = entry(14, udp(ESTAB, "127.0.0.2", 40005, "127.0.0.2", 5353));
    List<Escape> escapes = Attribution.of(start(), end(List.of()),
        List.of(toOurServer, toOurUdp, elsewhere, unconnected, wrongAddress), Set.of(), false);
    assertThat(escapes).extracting(Escape::cookie, Escape::evidence).containsExactly(
        tuple(10L, Evidence.PEER_IN_THIS_JVM), tuple(11L, Evidence.PEER_IN_THIS_JVM));
  }

  @Test
  void aConnectionWhoseOtherEndThisJvmHeldAtTheStartIsOld() {
    // another process's client of our server, connected before the window, leaves meanwhile
    SockDiagEntry ourEnd = entry(3, tcp(ESTAB, mapped("127.0.0.1"), 8080, mapped("127.0.0.1"), 40009));
    Snapshot start = new Snapshot(List.of(SERVER, UDP_SERVER), List.of(own(10, SERVER), own(11, UDP_SERVER),
        own(23, ourEnd)));
    SockDiagEntry theirEnd = entry(15, tcp(UNCONN, "127.0.0.1", 40009, "127.0.0.1", 8080));
    assertThat(Attribution.of(start, end(List.of()), List.of(theirEnd), Set.of(), false)).isEmpty();
    assertThat(Attribution.of(start(), end(List.of()), List.of(theirEnd), Set.of(), false)).hasSize(1);
  }

  @Test
  void inAPrivateNamespaceEveryClosedSocketCountsExceptOurBarriersAndUnusedOnes() {
    SockDiagEntry elsewhere = entry(12, tcp(UNCONN, "127.0.0.1", 40003, "127.0.0.1", 6379));
    SockDiagEntry unconnected = entry(13, udp(UNCONN, "0.0.0.0", 40004, "0.0.0.0", 0));
    SockDiagEntry barrier = entry(14, udp(UNCONN, "0.0.0.0", 40005, "0.0.0.0", 0));
    SockDiagEntry unused = entry(15, tcp(UNCONN, "0.0.0.0", 0, "0.0.0.0", 0));
    SockDiagEntry listenerNoOneUsed = entry(16, tcp(UNCONN, "0.0.0.0", 9000, "0.0.0.0", 0));
    List<Escape> escapes = Attribution.of(start(), end(List.of()),
        List.of(elsewhere, unconnected, barrier, unused, listenerNoOneUsed), Set.of(14L), true);
    assertThat(escapes).extracting(Escape::cookie).containsExactly(12L, 13L);
    assertThat(escapes).allSatisfy(e -> assertThat(e.evidence()).isEqualTo(Evidence.PRIVATE_NAMESPACE));
  }

  @Test
  void aTcpSocketClosedButStillShuttingDownCountsOnceAlthoughItsEventFollows() {
    SockDiagEntry closing = entry(15, tcp(FIN_WAIT_2, "127.0.0.1", 40006, "127.0.0.1", 8080));
    SockDiagEntry event = entry(15, tcp(UNCONN, "127.0.0.1", 40006, "127.0.0.1", 8080));
    SockDiagEntry unaccepted = entry(16, tcp(ESTAB, "127.0.0.1", 8080, "127.0.0.1", 40007));
    List<Escape> escapes = Attribution.of(start(), end(List.of(), closing, unaccepted), List.of(event), Set.of(), true);
    assertThat(escapes).extracting(Escape::cookie).containsExactly(15L);
  }

  @Test
  void aServerOpenedMeanwhileCountsAndSoDoItsConnections() {
    SockDiagEntry newServer = entry(17, tcp(LISTEN, "0.0.0.0", 9000, "0.0.0.0", 0));
    SockDiagEntry accepted = entry(18, tcp(ESTAB, "127.0.0.1", 9000, "127.0.0.1", 40008));
    List<Escape> escapes = Attribution.of(start(), end(List.of(own(40, newServer), own(41, accepted)), newServer),
        List.of(), Set.of(), false);
    assertThat(escapes).extracting(Escape::cookie).containsExactly(17L, 18L);
  }

  @Test
  void unmappingTurnsOnlyV4MappedAddressesIntoIpv4() throws Exception {
    assertThat(Attribution.unmapped(mapped("10.0.0.1"))).isEqualTo(InetAddress.getByName("10.0.0.1"));
    InetAddress v6 = InetAddress.getByName("::1");
    assertThat(Attribution.unmapped(v6)).isSameAs(v6);
  }

  private static Snapshot start() {
    return new Snapshot(List.of(SERVER, UDP_SERVER), List.of(own(10, SERVER), own(11, UDP_SERVER)));
  }

  private static Snapshot end(List<OwnSocket> more, SockDiagEntry... dumped) {
    List<OwnSocket> own = new ArrayList<>(List.of(own(10, SERVER), own(11, UDP_SERVER)));
    own.addAll(more);
    List<SockDiagEntry> all = new ArrayList<>(List.of(SERVER, UDP_SERVER));
    all.addAll(List.of(dumped));
    return new Snapshot(all, own);
  }

  private static OwnSocket own(int fd, SockDiagEntry e) {
    return new OwnSocket(fd, e);
  }

  private static SockDiagEntry entry(long cookie, InetSocket.Builder socket) {
    return new SockDiagEntry(cookie, socket.build());
  }

  private static InetSocket.Builder tcp(int state, Object local, int localPort, Object remote, int remotePort) {
    return socket(Protocol.TCP, state, local, localPort, remote, remotePort);
  }

  private static InetSocket.Builder udp(int state, Object local, int localPort, Object remote, int remotePort) {
    return socket(Protocol.UDP, state, local, localPort, remote, remotePort);
  }

  /** {@code ::ffff:a.b.c.d} as an IPv6 address (InetAddress.getByName would make it IPv4), as the kernel reports it. */
  private static InetAddress mapped(String v4) {
    try {
      byte[] b = new byte[16];
      b[10] = (byte) 0xff;
      b[11] = (byte) 0xff;
      System.arraycopy(InetAddress.getByName(v4).getAddress(), 0, b, 12, 4);
      return Inet6Address.getByAddress(null, b, -1);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  private static InetSocket.Builder socket(Protocol p, int state, Object local, int localPort, Object remote,
      int remotePort) {
    return InetSocket.builder().protocol(p).state(state).local(address(local)).localPort(localPort)
        .remote(address(remote)).remotePort(remotePort);
  }

  private static InetAddress address(Object a) {
    try {
      return a instanceof InetAddress i ? i : InetAddress.getByName((String) a);
    } catch (UnknownHostException e) {
      throw new AssertionError(e);
    }
  }
}
