package dev.nsunit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

/**
 * The JVM's own resolver on threads inside endpoints: {@code InetAddress} answers endpoints' names
 * on JDK 18 and newer (nsunit's {@code InetAddressResolverProvider}), and fails at once on JDK 17,
 * which has no resolver SPI. The addresses are checked against {@code ipv4Address}, which reads
 * the interfaces, and {@link NameResolutionTests} checks the same names with glibc and dig.
 */
class JvmResolverTests {
  static LabNetwork back;
  static LabNetwork front;
  static NetworkNamespace store;
  static NetworkNamespace api;
  static NetworkNamespace web;
  static NetworkNamespace plain;

  @BeforeAll
  static void topology() {
    back = LabNetwork.create("jvm-names-back", "10.85.0.0/24");
    front = LabNetwork.create("jvm-names-front", "10.86.0.0/24");
    store = NetworkNamespace.create("store");
    api = NetworkNamespace.create("api");
    web = NetworkNamespace.create("web");
    plain = NetworkNamespace.create("plain");
    back.connect(store, "db");
    front.connect(api);
    back.connect(api);
    front.connect(web);
    LabNetwork.bridge().connect(plain);
  }

  @AfterAll
  static void end() {
    for (NetworkNamespace ns : new NetworkNamespace[] {store, api, web, plain}) {
      if (ns != null) {
        ns.close();
      }
    }
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_18)
  void namespacedThreadsResolveEndpointNames() throws Exception {
    InetAddress storeBack = store.ipv4Address("jvm-names-back").orElseThrow();
    InetAddress db = api.call(() -> InetAddress.getByName("db"));
    assertThat(db).isEqualTo(storeBack);
    assertThat(db.getHostName()).isEqualTo("db");
    assertThat(api.call(() -> List.of(InetAddress.getAllByName("store.jvm-names-back")))).containsExactly(storeBack);
    assertThat(web.call(() -> InetAddress.getByName("api"))).as("web shares only the front network with api")
        .isEqualTo(api.ipv4Address("jvm-names-front").orElseThrow());
    assertThat(api.call(() -> InetAddress.getByName("localhost").isLoopbackAddress())).isTrue();
    assertThat(api.call(() -> InetAddress.getByAddress(storeBack.getAddress()).getHostName()))
        .as("reverse lookup").isEqualTo("store");
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_18)
  void anUnknownNameFailsAtOnceNamingWhatIsKnown() {
    assertThatThrownBy(() -> api.call(() -> InetAddress.getByName("inventory")))
        .isInstanceOf(UnknownHostException.class)
        .hasMessageStartingWith("inventory: no such name for network namespace api")
        .hasMessageContaining("jvm-names-back: [api, store [db]]")
        .hasMessageContaining("jvm-names-front: [api, web]");
    assertThatThrownBy(() -> plain.call(() -> InetAddress.getByName("store")))
        .isInstanceOf(UnknownHostException.class)
        .hasMessageContaining("Docker's default bridge has no names");
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_18)
  void aNameThatMovesIsNotCached() throws Exception {
    LabNetwork moving = LabNetwork.create("jvm-names-moving", "10.87.0.0/24");
    try (NetworkNamespace cache = NetworkNamespace.create("cache");
         NetworkNamespace client = NetworkNamespace.create("client")) {
      moving.connect(client);
      moving.connect(cache, InetAddress.getByName("10.87.0.20"));
      assertThat(client.call(() -> InetAddress.getByName("cache").getHostAddress())).isEqualTo("10.87.0.20");
      moving.disconnect(cache);
      assertThatThrownBy(() -> client.call(() -> InetAddress.getByName("cache")))
          .as("gone: no answer cached from before").isInstanceOf(UnknownHostException.class);
      moving.connect(cache, InetAddress.getByName("10.87.0.30"));
      assertThat(client.call(() -> InetAddress.getByName("cache").getHostAddress())).isEqualTo("10.87.0.30");
    }
  }

  @Test
  @EnabledForJreRange(min = JRE.JAVA_18)
  void threadsOutsideEndpointsKeepTheJdksResolver() throws Exception {
    assertThat(InetAddress.getByName("localhost").isLoopbackAddress()).isTrue();
    assertThat(InetAddress.getByName("127.0.0.1").getHostAddress()).isEqualTo("127.0.0.1");
  }

  @Test
  @EnabledForJreRange(max = JRE.JAVA_17)
  @Timeout(30) // a hang fails, instead of stopping the suite; not a speed check
  void onJdk17TheJvmResolverFailsInsteadOfHanging() {
    // no resolver SPI: glibc asks the JVM's own nameservers from inside the namespace, where the
    // lab refuses the packet
    assertThatThrownBy(() -> api.call(() -> InetAddress.getByName("db"))).isInstanceOf(UnknownHostException.class);
    assertThat(api.resolve("db")).containsExactly(store.ipv4Address("jvm-names-back").orElseThrow());
  }
}
