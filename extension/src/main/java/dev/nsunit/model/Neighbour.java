package dev.nsunit.model;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An ARP or NDP neighbour entry, as {@code ip neigh show} reports it.
 *
 * <p>Instances are read from the kernel; {@link #builder()} makes one by hand, e.g. an
 * expected value in a test. Properties are added over time as new accessors and builder
 * methods, so code that reads or builds instances keeps compiling.
 */
public final class Neighbour {

  private static final String[] STATE_NAMES = {
    "INCOMPLETE", "REACHABLE", "STALE", "DELAY", "PROBE", "FAILED", "NOARP", "PERMANENT"
  };

  /** The NUD states as iproute2 names them, e.g. {@code [REACHABLE]}; {@code [NONE]} for 0. */
  public List<String> stateNames() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < STATE_NAMES.length; i++) {
      if ((state & (1 << i)) != 0) {
        out.add(STATE_NAMES[i]);
      }
    }
    if (out.isEmpty()) {
      out.add("NONE");
    }
    return out;
  }

  /** Like a line of {@code ip neigh}: {@code 172.17.0.1 dev eth0 lladdr 02:42:ac:11:00:01 REACHABLE}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(InetAddresses.format(address));
    if (dev != null) {
      sb.append(" dev ").append(dev);
    }
    if (mac != null) {
      sb.append(" lladdr ").append(mac);
    }
    return sb.append(' ').append(String.join(" ", stateNames())).toString();
  }

  private final InetAddress address;
  private final int index;
  private final String dev;
  private final String mac;
  private final int state;

  private Neighbour(Builder b) {
    this.address = Objects.requireNonNull(b.address, "address");
    this.index = b.index;
    this.dev = b.dev;
    this.mac = b.mac;
    this.state = b.state;
  }

  /** The neighbour's IP address. */
  public InetAddress address() {
    return address;
  }

  /** The interface's ifindex. */
  public int index() {
    return index;
  }

  /** The interface's name. */
  public Optional<String> dev() {
    return Optional.ofNullable(dev);
  }

  /** The link-layer address (empty while unresolved). */
  public Optional<String> mac() {
    return Optional.ofNullable(mac);
  }

  /** The NUD_* state bits. */
  public int state() {
    return state;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Neighbour other)) {
      return false;
    }
    return Objects.equals(address, other.address)
        && index == other.index
        && Objects.equals(dev, other.dev)
        && Objects.equals(mac, other.mac)
        && state == other.state;
  }

  @Override
  public int hashCode() {
    return Objects.hash(address, index, dev, mac, state);
  }

  /** A builder with every property unset ({@code null}, 0 or the documented "none" value). */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this instance's properties, to make a changed copy. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.address = address;
    b.index = index;
    b.dev = dev;
    b.mac = mac;
    b.state = state;
    return b;
  }

  /** Builds a {@link Neighbour}. Not thread-safe. */
  public static final class Builder {
    private InetAddress address;
    private int index;
    private String dev;
    private String mac;
    private int state;

    private Builder() {}

    /** Sets {@link Neighbour#address()}. */
    public Builder address(InetAddress address) {
      this.address = address;
      return this;
    }

    /** Sets {@link Neighbour#index()}. */
    public Builder index(int index) {
      this.index = index;
      return this;
    }

    /** Sets {@link Neighbour#dev()}. */
    public Builder dev(String dev) {
      this.dev = dev;
      return this;
    }

    /** Sets {@link Neighbour#mac()}. */
    public Builder mac(String mac) {
      this.mac = mac;
      return this;
    }

    /** Sets {@link Neighbour#state()}. */
    public Builder state(int state) {
      this.state = state;
      return this;
    }

    /** The Neighbour. Throws NullPointerException if address is unset. */
    public Neighbour build() {
      return new Neighbour(this);
    }
  }
}
