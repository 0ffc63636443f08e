package dev.nsunit.internal.netlink;

import dev.nsunit.internal.libc.Libc;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jnr.constants.platform.Errno;

/**
 * Which link kinds this kernel can create, found by trying: on a throwaway thread that unshares
 * into a scratch namespace, it sends the real RTM_NEWLINK and notes whether the kernel refuses
 * the kind (EOPNOTSUPP, "Unknown device type"). The thread's exit frees the scratch namespace
 * and whatever it built. Each answer is cached for the JVM.
 *
 * <p>{@link Rtnetlink#add(LinkRequest)} consults it first, so a missing feature fails with one
 * clear message before any kernel change, not halfway through building a topology. Tests can
 * {@link #simulateMissing simulate} a kernel without a feature.
 */
public final class KernelFeatures {
  /** The link kinds nsunit creates. */
  public enum Feature {
    /** veth pairs: every bridge endpoint. Kconfig CONFIG_VETH. */
    VETH("veth", "CONFIG_VETH"),
    /** Linux bridges: the lab's networks. Kconfig CONFIG_BRIDGE. */
    BRIDGE("bridge", "CONFIG_BRIDGE"),
    /** macvlan links. Kconfig CONFIG_MACVLAN. */
    MACVLAN("macvlan", "CONFIG_MACVLAN"),
    /** VXLAN tunnels. Kconfig CONFIG_VXLAN. */
    VXLAN("vxlan", "CONFIG_VXLAN");

    private final String kind;
    private final String kconfig;

    Feature(String kind, String kconfig) {
      this.kind = kind;
      this.kconfig = kconfig;
    }

    /** The IFLA_INFO_KIND, as {@code ip link add ... type KIND} spells it. */
    public String kind() {
      return kind;
    }
  }

  private static final int EOPNOTSUPP = Errno.EOPNOTSUPP.intValue();
  private static final Map<Feature, Boolean> PROBED = new EnumMap<>(Feature.class);
  private static final Set<Feature> SIMULATED_MISSING = EnumSet.noneOf(Feature.class);

  private KernelFeatures() {}

  /** Whether the kernel can create links of this kind (probed once, then cached). */
  public static boolean supported(Feature feature) {
    synchronized (PROBED) {
      if (SIMULATED_MISSING.contains(feature)) {
        return false;
      }
      return PROBED.computeIfAbsent(feature, KernelFeatures::probe);
    }
  }

  /**
   * Throws unless the kernel supports {@code feature}.
   *
   * @throws UnsupportedOperationException naming the kind, the kernel option and the fix
   */
  public static void require(Feature feature) {
    if (!supported(feature)) {
      throw new UnsupportedOperationException("this kernel cannot create " + feature.kind + " links: RTM_NEWLINK with"
          + " IFLA_INFO_KIND \"" + feature.kind + "\" fails with EOPNOTSUPP (Unknown device type). Build the kernel"
          + " with " + feature.kconfig + " or load the module (modprobe " + feature.kind + ").");
    }
  }

  static void require(String kind) {
    for (Feature f : Feature.values()) {
      if (f.kind.equals(kind)) {
        require(f);
        return;
      }
    }
  }

  /**
   * Makes {@link #supported} answer {@code false} for these features until the returned handle
   * is closed: how tests check the behaviour on a kernel that lacks them.
   */
  public static AutoCloseable simulateMissing(Feature... features) {
    EnumSet<Feature> added = EnumSet.noneOf(Feature.class);
    synchronized (PROBED) {
      for (Feature f : features) {
        if (SIMULATED_MISSING.add(f)) {
          added.add(f);
        }
      }
    }
    return () -> {
      synchronized (PROBED) {
        SIMULATED_MISSING.removeAll(added);
      }
    };
  }

  private static Boolean probe(Feature feature) {
    Boolean[] result = new Boolean[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread t = new Thread(() -> {
      try {
        Libc.unshare(Libc.CLONE_NEWNET); // this thread's private scratch namespace
        try (Rtnetlink rt = Rtnetlink.open()) {
          result[0] = tryCreate(rt, feature);
        }
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    }, "nsunit-probe-" + feature.name().toLowerCase(Locale.ROOT));
    t.setDaemon(true);
    t.start();
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // short, and its namespace must not outlive it
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] != null) {
      throw failure[0];
    }
    return result[0];
  }

  private static boolean tryCreate(Rtnetlink rt, Feature feature) {
    LinkRequest request;
    switch (feature) {
      case VETH:
        request = LinkRequest.veth("probe0", "probe1");
        break;
      case BRIDGE:
        request = LinkRequest.bridge("probe0");
        break;
      case MACVLAN:
        request = LinkRequest.macvlan("probe0", 1, LinkRequest.MacvlanMode.BRIDGE); // on lo: the kind is checked first
        break;
      case VXLAN:
        request = LinkRequest.vxlan("probe0", 42).port(4789);
        break;
      default:
        throw new AssertionError(feature);
    }
    try {
      rt.socket().execute(request::encode);
      return true;
    } catch (NetlinkException e) {
      if (e.errno() == EOPNOTSUPP) {
        return false;
      }
      // the kind exists (the kernel got past the type lookup) but refused these settings
      return true;
    }
  }
}
