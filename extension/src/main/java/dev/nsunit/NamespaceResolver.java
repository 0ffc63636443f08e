package dev.nsunit;

/**
 * Opens the network namespace of an object that lives outside nsunit, such as a Testcontainers
 * container, so that {@code @SharedNetworkWith("field")} can name a field holding one.
 * Implementations are found with {@link java.util.ServiceLoader}; nsunit-testcontainers ships
 * one for Testcontainers containers.
 */
public interface NamespaceResolver {

  /** Whether fields of this type hold objects this resolver can open a namespace for. */
  boolean handles(Class<?> type);

  /**
   * Opens the namespace of {@code value}, the current value of the field called {@code name}.
   * The caller owns the returned handle and closes it when its scope ends (which never stops
   * the object itself).
   *
   * @throws IllegalStateException saying what to do if the object has no namespace yet (e.g. a
   *     container that was not started)
   */
  NetworkNamespace open(String name, Object value);

  /** What to call objects of this kind in messages, e.g. {@code "Testcontainers container"}. */
  String kind();
}
