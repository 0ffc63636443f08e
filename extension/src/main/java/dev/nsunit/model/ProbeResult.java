package dev.nsunit.model;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of one reachability probe run inside a namespace: an ICMP echo, a TCP connect or a
 * UDP request/response.
 */
public final class ProbeResult {
  private final String probe;
  private final Reason reason;
  private final String detail;

  private ProbeResult(String probe, Reason reason, String detail) {
    this.probe = Objects.requireNonNull(probe, "probe");
    this.reason = reason;
    this.detail = detail;
  }

  /** A probe that reached its target. */
  public static ProbeResult reached(String probe) {
    return new ProbeResult(probe, null, null);
  }

  /**
   * A probe that failed for {@code reason}.
   *
   * @param detail the underlying error as the kernel or the JDK reported it, or {@code null}
   */
  public static ProbeResult failed(String probe, Reason reason, String detail) {
    return new ProbeResult(probe, Objects.requireNonNull(reason, "reason"), detail);
  }

  /** What was tried, e.g. {@code "ICMP echo to 192.0.2.2"} or {@code "TCP connect to 192.0.2.2:80"}. */
  public String probe() {
    return probe;
  }

  /** Why the target was not reached; empty if it was. */
  public Optional<Reason> reason() {
    return Optional.ofNullable(reason);
  }

  /**
   * The underlying error as the kernel or the JDK reported it, e.g. {@code "connect(fd 42) failed:
   * ENETUNREACH (Network is unreachable)"}; empty if the probe reached its target or no detail was known.
   */
  public Optional<String> detail() {
    return Optional.ofNullable(detail);
  }

  /** Whether the target answered. */
  public boolean isReached() {
    return reason == null;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ProbeResult other)) {
      return false;
    }
    return probe.equals(other.probe) && reason == other.reason && Objects.equals(detail, other.detail);
  }

  @Override
  public int hashCode() {
    return Objects.hash(probe, reason, detail);
  }

  /** {@code "ICMP echo to 192.0.2.2: reached"} or {@code "...: Network is unreachable (ENETUNREACH)"}. */
  @Override
  public String toString() {
    return probe + ": " + (reason == null ? "reached" : reason + (detail == null ? "" : " [" + detail + "]"));
  }

  /**
   * Why a probe did not reach its target, mapped from the errno the kernel returned (or from the
   * JDK exception that carries it). The text is libc's {@code strerror} wording.
   */
  public enum Reason {
    /**
     * ENETUNREACH: the namespace has no route to the destination's network (e.g. {@code
     * --network none}: only {@code lo}), or a router answered ICMP net unreachable.
     */
    NETWORK_UNREACHABLE("ENETUNREACH", "Network is unreachable"),
    /**
     * EHOSTUNREACH, "no route to host": a route exists but the host did not answer ARP/NDP, a
     * router answered ICMP host unreachable, or the matching route is of type {@code unreachable}.
     */
    HOST_UNREACHABLE("EHOSTUNREACH", "No route to host"),
    /**
     * ECONNREFUSED: the host answered, but nothing listens on the port (a TCP RST, or ICMP port
     * unreachable for UDP).
     */
    CONNECTION_REFUSED("ECONNREFUSED", "Connection refused"),
    /** ETIMEDOUT: nothing came back within the probe's timeout (or the kernel gave up itself). */
    TIMED_OUT("ETIMEDOUT", "Connection timed out"),
    /**
     * EACCES or EPERM: a {@code prohibit} route, or a firewall rejecting with ICMP administratively
     * prohibited.
     */
    PROHIBITED("EACCES", "Permission denied"),
    /** Any other error; the probe's detail carries it. */
    OTHER(null, "Other error");

    private final String errnoName;
    private final String text;

    Reason(String errnoName, String text) {
      this.errnoName = errnoName;
      this.text = text;
    }

    /** The errno name this reason stands for, e.g. {@code ENETUNREACH}; empty for OTHER. */
    public Optional<String> errnoName() {
      return Optional.ofNullable(errnoName);
    }

    /** libc's wording, e.g. {@code "Network is unreachable"}. */
    public String text() {
      return text;
    }

    /** Maps an errno name ({@code "ENETUNREACH"}) to a reason; unknown names give {@link #OTHER}. */
    public static Reason fromErrnoName(String name) {
      if (name == null) {
        return OTHER;
      }
      switch (name) {
        case "ENETUNREACH": return NETWORK_UNREACHABLE;
        case "EHOSTUNREACH": return HOST_UNREACHABLE;
        case "ECONNREFUSED": return CONNECTION_REFUSED;
        case "ETIMEDOUT": return TIMED_OUT;
        case "EACCES":
        case "EPERM": return PROHIBITED;
        default: return OTHER;
      }
    }

    /**
     * Maps an error message in libc's wording, as the JDK puts it in socket exceptions ({@code
     * "Connection refused"}, {@code "No route to host"}, {@code "Connect timed out"}), to a reason.
     */
    public static Reason fromMessage(String message) {
      if (message == null) {
        return OTHER;
      }
      String m = message.toLowerCase(Locale.ROOT);
      if (m.contains("network is unreachable")) {
        return NETWORK_UNREACHABLE;
      }
      if (m.contains("no route to host") || m.contains("host is unreachable")) {
        return HOST_UNREACHABLE;
      }
      if (m.contains("connection refused") || m.contains("port unreachable")) {
        return CONNECTION_REFUSED;
      }
      if (m.contains("timed out")) {
        return TIMED_OUT;
      }
      if (m.contains("permission denied") || m.contains("not permitted")) {
        return PROHIBITED;
      }
      return OTHER;
    }

    /** {@code "Network is unreachable (ENETUNREACH)"}. */
    @Override
    public String toString() {
      return errnoName == null ? text : text + " (" + errnoName + ")";
    }
  }
}
