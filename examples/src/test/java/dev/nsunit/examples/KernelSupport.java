package dev.nsunit.examples;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** What this kernel can do, asked the way a user would: with iproute2 in a throwaway namespace. */
final class KernelSupport {
  private KernelSupport() {}

  /** Whether {@code ip link add ... type ipvlan} works here (CONFIG_IPVLAN). */
  static boolean ipvlan() throws IOException, InterruptedException {
    Process p = new ProcessBuilder("unshare", "--net", "sh", "-c",
        "ip link add u0 type veth peer name u1 && ip link add i0 link u0 type ipvlan mode l2")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}
