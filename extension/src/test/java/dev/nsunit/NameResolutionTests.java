package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.model.InetAddresses;
import dev.nsunit.model.InetSocket;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Names on user-defined networks, as Docker's embedded DNS gives them, judged from outside
 * nsunit: glibc's resolver in a started process ({@code getent hosts}), {@code dig} against the
 * namespace's server at 127.0.0.11, {@code hostname}, the files a process reads, and {@code ss}.
 * Built with the programmatic API on JUnit's own thread, so that no JVM thread is namespaced.
 */
class NameResolutionTests {
  static LabNetwork back;
  static LabNetwork front;
  static NetworkNamespace redis;
  static NetworkNamespace api;
  static NetworkNamespace web;
  static NetworkNamespace plain;

  @BeforeAll
  static void topology() {
    back = LabNetwork.create("names-back", "10.83.0.0/24");
    front = LabNetwork.create("names-front", "10.84.0.0/24");
    redis = NetworkNamespace.create("redis");
    api = NetworkNamespace.create("api");
    web = NetworkNamespace.create("web");
    plain = NetworkNamespace.create("plain");
    back.connect(redis, "db", "cache");
    front.connect(api);
    back.connect(api);
    front.connect(web);
    LabNetwork.bridge().connect(plain);
  }

  @AfterAll
  static void end() {
    for (NetworkNamespace ns : new NetworkNamespace[] {redis, api, web, plain}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  record Run(int exit, String out) {}

  /** Runs {@code command} in {@code ns}; a resolver that hung would fail here, after 20 s, not hang the suite. */
  static Run run(NetworkNamespace ns, String... command) throws IOException, InterruptedException {
    Process p = ns.start(new ProcessBuilder(command).redirectErrorStream(true));
    try (InputStream in = p.getInputStream()) {
      assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("%s in %s ended", List.of(command), ns.name()).isTrue();
      return new Run(p.exitValue(), new String(in.readAllBytes(), StandardCharsets.UTF_8).trim());
    }
  }

  static String address(NetworkNamespace ns, LabNetwork network) {
    return InetAddresses.format(ns.ipv4Address(network.name()).orElseThrow());
  }

  @Test
  void namesAndAliasesResolveOnSharedNetworksOnly() {
    InetAddress redisBack = redis.ipv4Address("names-back").orElseThrow();
    assertThat(api.resolve("db")).containsExactly(redisBack);
    assertThat(api.resolve("cache")).containsExactly(redisBack);
    assertThat(api.resolve("redis")).containsExactly(redisBack);
    assertThat(api.resolve("REDIS.names-back.")).as("case and the network suffix, as Docker").containsExactly(redisBack);
    assertThat(redis.resolve("api")).containsExactly(api.ipv4Address("names-back").orElseThrow());
    assertThat(web.resolve("api")).as("web shares only names-front with api")
        .containsExactly(api.ipv4Address("names-front").orElseThrow());
    assertThat(web.resolve("db")).as("db is on names-back, which web is not on").isEmpty();
    assertThat(api.resolve("inventory")).isEmpty();
    assertThat(plain.resolve("redis")).as("Docker's default bridge has no names").isEmpty();
  }

  @Test
  void processesResolveThroughTheirOwnFilesAndTheEmbeddedServer() throws Exception {
    Run db = run(api, "getent", "hosts", "db");
    assertThat(db.exit()).isZero();
    assertThat(db.out()).startsWith(address(redis, back) + " ").contains("db");

    Run unknown = run(api, "getent", "hosts", "inventory");
    assertThat(unknown.exit()).as("getent's exit code for a name that is not found").isEqualTo(2);
    assertThat(run(web, "getent", "hosts", "db").exit()).as("not on a shared network").isEqualTo(2);

    assertThat(run(api, "cat", "/etc/resolv.conf").out()).contains("nameserver 127.0.0.11");
    assertThat(run(api, "cat", "/etc/hosts").out()).contains(address(api, front) + "\tapi")
        .contains("127.0.0.1\tlocalhost");
    assertThat(run(api, "hostname").out()).isEqualTo("api");
    assertThat(run(api, "cat", "/etc/hostname").out()).isEqualTo("api");
    assertThat(run(redis, "hostname").out()).isEqualTo("redis");
  }

  @Test
  void digAsksTheServerAt127dot0dot0dot11() throws Exception {
    Run a = run(api, "dig", "+short", "+tries=1", "+time=5", "db.names-back", "A");
    assertThat(a.exit()).isZero();
    assertThat(a.out()).isEqualTo(address(redis, back));

    Run nx = run(api, "dig", "+tries=1", "+time=5", "inventory", "A");
    assertThat(nx.out()).contains("status: NXDOMAIN").contains("SERVER: 127.0.0.11#53");

    Run aaaa = run(api, "dig", "+tries=1", "+time=5", "db", "AAAA");
    assertThat(aaaa.out()).as("a known name without IPv6: no data, not NXDOMAIN")
        .contains("status: NOERROR").contains("ANSWER: 0");

    List<String> octets = new ArrayList<>(List.of(address(redis, back).split("\\.", -1)));
    Collections.reverse(octets);
    String reverse = String.join(".", octets) + ".in-addr.arpa";
    Run ptr = run(api, "dig", "+short", "+tries=1", "+time=5", reverse, "PTR");
    assertThat(ptr.out()).isEqualTo("redis.");
  }

  @Test
  void theServerListensInsideTheEndpointOnly() {
    List<InetSocket> sockets = api.sockets();
    assertThat(sockets).anySatisfy(s -> {
      assertThat(s.protocol()).isEqualTo(InetSocket.Protocol.UDP);
      assertThat(InetAddresses.format(s.local())).isEqualTo("127.0.0.11");
      assertThat(s.localPort()).isEqualTo(53);
    });
    assertThat(plain.sockets()).as("no server on Docker's default bridge").isEmpty();
    try (NetworkNamespace host = NetworkNamespace.host()) {
      assertThat(host.sockets()).noneSatisfy(s -> assertThat(InetAddresses.format(s.local())).isEqualTo("127.0.0.11"));
    }
  }

  @Test
  void theHostKeepsItsOwnFilesNameAndMounts() throws Exception {
    String hosts = Files.readString(Path.of("/etc/hosts"));
    String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
    String hostname = Files.readString(Path.of("/proc/sys/kernel/hostname"));
    run(api, "true");
    run(web, "true");
    assertThat(Files.readString(Path.of("/etc/hosts"))).isEqualTo(hosts);
    assertThat(Files.readString(Path.of("/proc/self/mountinfo"))).isEqualTo(mounts);
    assertThat(Files.readString(Path.of("/proc/sys/kernel/hostname"))).isEqualTo(hostname);
  }
}
