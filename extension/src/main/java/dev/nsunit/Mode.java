package dev.nsunit;

import dev.nsunit.model.IpPrefix;
import java.lang.reflect.AnnotatedElement;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * One element's network mode, read from its annotation and checked: Docker's {@code --network}
 * value. Code that treats modes differently goes through {@link #match(Cases)}, so a new mode
 * is a compile error everywhere that does not handle it yet (Java 17 has no pattern switch).
 */
sealed interface Mode permits Mode.None, Mode.Host, Mode.Bridge, Mode.Shared, Mode.Connected {

  /** The class, method or field the annotation is on. */
  AnnotatedElement declaredOn();

  /** {@link #declaredOn()} for messages, e.g. {@code [method OrderTests.m()]}. */
  default String where() {
    return ModeAnnotations.describe(declaredOn());
  }

  /** Whether building this mode needs CAP_SYS_ADMIN and CAP_NET_ADMIN. */
  default boolean needsPrivileges() {
    return match(new Cases<>() {
      @Override public Boolean none(None m) {
        return true;
      }

      @Override public Boolean host(Host m) {
        return false;
      }

      @Override public Boolean bridge(Bridge m) {
        return true;
      }

      @Override public Boolean shared(Shared m) {
        return false; // joining needs no new namespace; its target's own mode is checked
      }

      @Override public Boolean connected(Connected m) {
        return true;
      }
    });
  }

  /** Calls the method of {@code cases} that handles this mode. */
  <R> R match(Cases<R> cases);

  /** One method per mode. */
  interface Cases<R> {
    /** {@code --network none}. */
    R none(None mode);

    /** {@code --network host}. */
    R host(Host mode);

    /** {@code --network bridge}. */
    R bridge(Bridge mode);

    /** {@code --network container:NAME}. */
    R shared(Shared mode);

    /** {@code --network NAME} (and {@code docker network connect} for each further network). */
    R connected(Connected mode);
  }

  /** {@link NoNetwork}: a new namespace with only {@code lo}. */
  record None(AnnotatedElement declaredOn) implements Mode {
    @Override public <R> R match(Cases<R> cases) {
      return cases.none(this);
    }
  }

  /** {@link HostNetwork}: the JVM's own namespace. */
  record Host(AnnotatedElement declaredOn) implements Mode {
    @Override public <R> R match(Cases<R> cases) {
      return cases.host(this);
    }
  }

  /**
   * {@link BridgeNetwork}: an endpoint on the lab's bridge for {@code subnet}.
   *
   * @param address the fixed address, or empty for the next free one
   */
  record Bridge(AnnotatedElement declaredOn, IpPrefix subnet, InetAddress gateway, int mtu,
      Optional<InetAddress> address) implements Mode {
    @Override public <R> R match(Cases<R> cases) {
      return cases.bridge(this);
    }
  }

  /** {@link SharedNetworkWith}: the namespace of the endpoint called {@code endpoint}. */
  record Shared(AnnotatedElement declaredOn, String endpoint) implements Mode {
    @Override public <R> R match(Cases<R> cases) {
      return cases.shared(this);
    }
  }

  /**
   * {@link Connect}: an endpoint on one or more user-defined networks, one interface per
   * connection in this order ({@code eth0} first).
   */
  record Connected(AnnotatedElement declaredOn, List<Connection> connections) implements Mode {
    public Connected {
      connections = List.copyOf(connections);
    }

    @Override public <R> R match(Cases<R> cases) {
      return cases.connected(this);
    }
  }

  /**
   * One {@link Connect}: the network's name, the endpoint's aliases on it and its fixed address.
   *
   * @param address the fixed address, or empty for the next free one
   */
  record Connection(String network, List<String> aliases, Optional<InetAddress> address, Optional<String> labHost) {
    public Connection {
      aliases = List.copyOf(aliases);
    }

    Connection(String network, List<String> aliases, Optional<InetAddress> address) {
      this(network, aliases, address, Optional.empty());
    }
  }
}
