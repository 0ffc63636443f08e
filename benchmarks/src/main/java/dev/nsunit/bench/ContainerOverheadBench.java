package dev.nsunit.bench;

import dev.nsunit.internal.ns.Lab;
import dev.nsunit.model.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Per-test cost of an isolated network, three ways, in one run: a {@code @BridgeNetwork}
 * endpoint (what nsunit builds per test), a Testcontainers {@code GenericContainer} on Docker's
 * bridge, and one with network mode {@code none}. Each iteration creates and destroys one. Needs
 * the engine and image from {@code ci/docker-engine.sh} (DOCKER_HOST,
 * TESTCONTAINERS_RYUK_DISABLED=true, TESTCONTAINERS_HOST_OVERRIDE=localhost):
 *
 * <pre>
 * eval "$(sudo ci/docker-engine.sh env)"
 * java -cp benchmarks/target/nsunit-bench.jar dev.nsunit.bench.ContainerOverheadBench [iterations]
 * </pre>
 */
public final class ContainerOverheadBench {
  private static final DockerImageName IMAGE = DockerImageName.parse("nsunit/busybox-echo:latest");

  private ContainerOverheadBench() {}

  interface Step {
    void run() throws Exception;
  }

  /** Prints median and p95 per approach, and the ratio to the nsunit endpoint. */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 30;
    Lab lab = Lab.get();
    Lab.Bridge bridge = lab.bridge(IpPrefix.parse("172.17.0.0/16"), IpPrefix.parse("172.17.0.1/32").address());
    Step endpoint = () -> lab.attach("bench", bridge, null, 1500).close();
    Step dockerBridge = () -> {
      try (GenericContainer<?> c = new GenericContainer<>(IMAGE).withImagePullPolicy(image -> false)) {
        c.start();
      }
    };
    Step dockerNone = () -> {
      try (GenericContainer<?> c = new GenericContainer<>(IMAGE).withImagePullPolicy(image -> false)
          .withNetworkMode("none")) {
        c.start();
      }
    };
    String[] names = {"@BridgeNetwork endpoint", "GenericContainer, bridge", "GenericContainer, none"};
    Step[] steps = {endpoint, dockerBridge, dockerNone};
    List<List<Long>> times = new ArrayList<>();
    for (int s = 0; s < steps.length; s++) {
      times.add(new ArrayList<>());
      for (int w = 0; w < 3; w++) {
        steps[s].run(); // warm-up
      }
    }
    for (int i = 0; i < n; i++) { // interleaved, so drift hits all three alike
      for (int s = 0; s < steps.length; s++) {
        long t0 = System.nanoTime();
        steps[s].run();
        times.get(s).add(System.nanoTime() - t0);
      }
    }
    double base = ExtensionOverheadBench.median(times.get(0));
    System.out.printf(Locale.ROOT, "%-26s %5s %11s %11s %10s%n", "per test", "n", "median ms", "p95 ms", "x endpoint");
    for (int s = 0; s < steps.length; s++) {
      double med = ExtensionOverheadBench.median(times.get(s));
      System.out.printf(Locale.ROOT, "%-26s %5d %11.2f %11.2f %10.1f%n", names[s], n, med / 1e6,
          ExtensionOverheadBench.percentile(times.get(s), 0.95) / 1e6, med / base);
    }
  }
}
