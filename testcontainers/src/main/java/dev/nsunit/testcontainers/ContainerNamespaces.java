package dev.nsunit.testcontainers;

import dev.nsunit.NetworkNamespace;
import java.nio.file.Path;
import org.testcontainers.containers.Container;
import org.testcontainers.containers.ContainerState;

/**
 * Opens the network namespace of a running Testcontainers container, like
 * {@code nsenter --net=/proc/<State.Pid>/ns/net}, so a test can inspect or join it.
 *
 * <pre>{@code
 * try (NetworkNamespace ns = ContainerNamespaces.open(redis)) {
 *   assertThat(ns).isListeningOn(6379);
 * }
 * }</pre>
 *
 * <p>Closing the handle never stops the container. The Docker engine must run on this machine
 * (the container's init process must be visible in this JVM's {@code /proc}).
 */
public final class ContainerNamespaces {
  private ContainerNamespaces() {}

  /**
   * Opens {@code container}'s network namespace.
   *
   * @throws IllegalStateException if the container is not running, saying how to start it
   */
  public static NetworkNamespace open(ContainerState container) {
    if (!container.isRunning()) {
      throw new IllegalStateException("the container " + describe(container) + " is not running; start it"
          + " first (annotate the field with @Container and the class with @Testcontainers, or call start())");
    }
    Long pid = container.getContainerInfo().getState().getPidLong();
    if (pid == null || pid <= 0) {
      throw new IllegalStateException("Docker reports no process for the container " + describe(container)
          + " (State.Pid = " + pid + "); is it paused or exiting?");
    }
    String name = "container " + describe(container);
    return NetworkNamespace.open(Path.of("/proc/" + pid + "/ns/net"), name);
  }

  static String describe(ContainerState container) {
    String id = container.getContainerId();
    String image = container instanceof Container
        ? ((Container<?>) container).getDockerImageName() : container.getClass().getSimpleName();
    return image + (id == null ? "" : " (" + id.substring(0, Math.min(12, id.length())) + ")");
  }
}
