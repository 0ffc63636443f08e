package dev.nsunit.testcontainers.internal;

import dev.nsunit.NamespaceResolver;
import dev.nsunit.NetworkNamespace;
import dev.nsunit.testcontainers.ContainerNamespaces;
import org.testcontainers.containers.ContainerState;

/**
 * Lets {@code @SharedNetworkWith("redis")} name a Testcontainers container field such as
 * {@code @Container static GenericContainer<?> redis}. Registered through
 * {@code META-INF/services}; users never call it.
 */
public final class TestcontainersNamespaceResolver implements NamespaceResolver {

  @Override
  public boolean handles(Class<?> type) {
    return ContainerState.class.isAssignableFrom(type);
  }

  @Override
  public NetworkNamespace open(String name, Object value) {
    return ContainerNamespaces.open((ContainerState) value);
  }

  @Override
  public String kind() {
    return "Testcontainers container";
  }
}
