package dev.nsunit.internal.netlink;

import dev.nsunit.internal.libc.Libc;
import dev.nsunit.internal.libc.NativeCallException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import jnr.constants.platform.Errno;

/**
 * Which link kinds this kernel can create, and which parts of nf_tables it has, found by trying:
 * on a throwaway thread that unshares into a scratch namespace, it sends the real RTM_NEWLINK
 * and notes whether the kernel refuses the kind (EOPNOTSUPP, "Unknown device type"), or the
 * real nf_tables batch (a table, and a chain and rule with the expression in question) and notes
 * whether the kernel lacks it. The thread's exit frees the scratch namespace and whatever it
 * built. Each answer is cached for the JVM.
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
    VXLAN("vxlan", "CONFIG_VXLAN"),
    /** ipvlan links. Kconfig CONFIG_IPVLAN. */
    IPVLAN("ipvlan", "CONFIG_IPVLAN");

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

  /** The parts of nf_tables nsunit uses, each with what a kernel that lacks it needs. */
  public enum NftFeature {
    /** nf_tables itself, with the inet family: tables, base chains, matches and verdicts. */
    NF_TABLES("nf_tables (family inet)", "CONFIG_NF_TABLES and CONFIG_NF_TABLES_INET", "nf_tables"),
    /** The reject expression for the inet family ({@code reject with icmpx ...}, {@code tcp reset}). */
    REJECT("reject expression for family inet in its nf_tables", "CONFIG_NFT_REJECT and CONFIG_NFT_REJECT_INET",
        "nft_reject_inet"),
    /** The masq expression and the nat chain type it needs ({@code masquerade}). */
    MASQ("masq expression or nat chains in its nf_tables", "CONFIG_NFT_MASQ and CONFIG_NFT_NAT",
        "nft_masq nft_chain_nat");

    private final String what;
    private final String kconfig;
    private final String modules;

    NftFeature(String what, String kconfig, String modules) {
      this.what = what;
      this.kconfig = kconfig;
      this.modules = modules;
    }
  }

  private static final int EOPNOTSUPP = Errno.EOPNOTSUPP.intValue();
  /** The errnos of a kernel that lacks a part of nf_tables, rather than of a request it refuses. */
  private static final Set<Integer> NFT_MISSING = Set.of(
      Errno.EPROTONOSUPPORT.intValue(), // no NETLINK_NETFILTER socket: no nfnetlink at all
      EOPNOTSUPP, // nfnetlink without the nf_tables subsystem
      Errno.EAFNOSUPPORT.intValue(), // nf_tables without the inet family
      Errno.ENOENT.intValue()); // no such expression or chain type (after the kernel tried to load its module)
  private static final Map<Feature, Boolean> PROBED = new EnumMap<>(Feature.class);
  private static final Set<Feature> SIMULATED_MISSING = EnumSet.noneOf(Feature.class);
  private static final Map<NftFeature, Boolean> PROBED_NFT = new EnumMap<>(NftFeature.class); // guarded by PROBED
  private static final Set<NftFeature> SIMULATED_MISSING_NFT = EnumSet.noneOf(NftFeature.class); // guarded by PROBED

  private static final Map<String, Boolean> PROBED_QDISC = new HashMap<>(); // guarded by PROBED
  private static final int ENOENT = Errno.ENOENT.intValue();

  private KernelFeatures() {}

  /**
   * Whether the kernel has the queueing discipline {@code kind} ({@code "netem"}), found by adding
   * one to {@code lo} of a scratch namespace; the kernel answers ENOENT for a kind it lacks.
   * Probed once, then cached. Only netem is probed this way.
   */
  public static boolean hasQdisc(String kind) {
    if (!kind.equals("netem")) {
      throw new IllegalArgumentException("only netem is probed, not " + kind);
    }
    synchronized (PROBED) {
      return PROBED_QDISC.computeIfAbsent(kind, k -> inScratchNamespace("qdisc-" + k, () -> {
        try (Rtnetlink rt = Rtnetlink.open()) {
          QdiscRequest.netem(1, Duration.ofMillis(1), Duration.ZERO).sendOn(rt);
          return true;
        } catch (NetlinkException e) {
          return e.errno() != ENOENT; // another refusal means the kind exists
        }
      }));
    }
  }

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

  /** Whether the kernel has this part of nf_tables (probed once, then cached). */
  public static boolean supported(NftFeature feature) {
    synchronized (PROBED) {
      if (SIMULATED_MISSING_NFT.contains(feature)) {
        return false;
      }
      return PROBED_NFT.computeIfAbsent(feature, f -> inScratchNamespace(f.name(), () -> tryNft(f)));
    }
  }

  /**
   * Throws unless the kernel has {@code feature}.
   *
   * @throws UnsupportedOperationException naming the feature, the kernel options and the fix
   */
  public static void require(NftFeature feature) {
    if (!supported(feature)) {
      throw new UnsupportedOperationException("this kernel has no " + feature.what + ": the nf_tables batch that"
          + " uses it fails (EPROTONOSUPPORT, EOPNOTSUPP, EAFNOSUPPORT or ENOENT). Build the kernel with "
          + feature.kconfig + " or load the modules (modprobe -a " + feature.modules + ").");
    }
  }

  /**
   * Makes {@link #supported(NftFeature)} answer {@code false} for these features until the
   * returned handle is closed.
   */
  public static AutoCloseable simulateMissing(NftFeature... features) {
    EnumSet<NftFeature> added = EnumSet.noneOf(NftFeature.class);
    synchronized (PROBED) {
      for (NftFeature f : features) {
        if (SIMULATED_MISSING_NFT.add(f)) {
          added.add(f);
        }
      }
    }
    return () -> {
      synchronized (PROBED) {
        SIMULATED_MISSING_NFT.removeAll(added);
      }
    };
  }

  private static Boolean probe(Feature feature) {
    return inScratchNamespace(feature.name(), () -> {
      try (Rtnetlink rt = Rtnetlink.open()) {
        return tryCreate(rt, feature);
      }
    });
  }

  /** Runs {@code probe} on a new thread in a scratch namespace of its own, freed when it exits. */
  private static Boolean inScratchNamespace(String name, Supplier<Boolean> probe) {
    Boolean[] result = new Boolean[1];
    RuntimeException[] failure = new RuntimeException[1];
    Thread t = new Thread(() -> {
      try {
        Libc.unshare(Libc.CLONE_NEWNET); // this thread's private scratch namespace
        result[0] = probe.get();
      } catch (RuntimeException e) {
        failure[0] = e;
      }
    }, "nsunit-probe-" + name.toLowerCase(Locale.ROOT));
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
      case IPVLAN:
        request = LinkRequest.ipvlan("probe0", 1, LinkRequest.IpvlanMode.L2); // on lo: the kind is checked first
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

  /**
   * Sends the batch that needs {@code feature} (a table, and for an expression a base chain and a
   * rule that uses it), then deletes the table; false if the kernel lacks what it needs.
   */
  private static boolean tryNft(NftFeature feature) {
    Nftables nft;
    try {
      nft = Nftables.open();
    } catch (NativeCallException e) {
      if (NFT_MISSING.contains(e.errno())) {
        return false;
      }
      throw e;
    }
    try (nft) {
      String table = "probe";
      List<NftRequest> batch = new ArrayList<>();
      batch.add(NftTableRequest.add(table));
      switch (feature) {
        case NF_TABLES:
          batch.add(NftChainRequest.base(table, "c", NftChainRequest.Type.FILTER, NftChainRequest.Hook.FORWARD, 0));
          batch.add(NftRuleRequest.append(table, "c").iifname("probe0").accept());
          break;
        case REJECT:
          batch.add(NftChainRequest.base(table, "c", NftChainRequest.Type.FILTER, NftChainRequest.Hook.FORWARD, 0));
          batch.add(NftRuleRequest.append(table, "c").reject(NftRuleRequest.IcmpxCode.HOST_UNREACHABLE));
          break;
        case MASQ:
          batch.add(NftChainRequest.base(table, "c", NftChainRequest.Type.NAT, NftChainRequest.Hook.POSTROUTING, 100));
          batch.add(NftRuleRequest.append(table, "c").masquerade());
          break;
        default:
          throw new AssertionError(feature);
      }
      try {
        nft.apply(batch);
      } catch (NetlinkException e) {
        if (NFT_MISSING.contains(e.errno())) {
          return false;
        }
        throw e; // a request nsunit got wrong, not a missing feature: say so
      }
      nft.apply(NftTableRequest.delete(table));
      return true;
    }
  }
}
