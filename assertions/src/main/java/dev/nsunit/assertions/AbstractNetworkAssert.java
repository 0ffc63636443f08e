package dev.nsunit.assertions;

import java.util.function.Function;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.error.ErrorMessageFactory;

/**
 * Base of every nsunit assert. Failures go through {@link #report}: thrown at once normally, or
 * handed to the {@link NetworkSoftAssertions} that created the chain, so that soft assertions keep
 * collecting across navigation ({@code hasInterface(...)}, {@code hasDefaultRoute()}, ...).
 *
 * @param <SELF> the assert's own type, for fluent chaining
 * @param <ACTUAL> the value under test
 */
public abstract class AbstractNetworkAssert<SELF extends AbstractNetworkAssert<SELF, ACTUAL>, ACTUAL>
    extends AbstractAssert<SELF, ACTUAL> {

  AssertContext context;

  /** Creates the assert; navigation attaches the namespace's context afterwards. */
  protected AbstractNetworkAssert(ACTUAL actual, Class<?> selfType) {
    super(actual, selfType);
  }

  final AssertContext context() {
    if (context == null) {
      context = AssertContext.detached();
    }
    return context;
  }

  /**
   * Whether there is nothing to check: in soft mode a failed navigation (e.g. {@code
   * hasInterface("eth9")} without eth9) records its failure and returns an assert on nothing,
   * whose checks then pass silently instead of piling up follow-on errors.
   */
  final boolean nothingToCheck() {
    return actual == null && context().soft != null;
  }

  /** Fails with the factory's message: throws, or in soft mode records and carries on. */
  final void report(ErrorMessageFactory factory) {
    AssertionError error = assertionError(factory);
    NetworkSoftAssertions soft = context().soft;
    if (soft == null) {
      throw error;
    }
    soft.collectAssertionError(error);
  }

  /**
   * Creates the assert navigated to. In soft mode it is made through the same proxy mechanism
   * as the root ({@link org.assertj.core.api.SoftAssertionsProvider#proxy}), so that even
   * AssertJ's inherited checks on it ({@code isEqualTo}, {@code satisfies}...) are collected.
   */
  final <A extends AbstractNetworkAssert<A, T>, T> A navigate(Class<A> type, Class<T> actualType, T value,
      Function<T, A> constructor) {
    AssertContext c = context();
    A next = c.soft == null ? constructor.apply(value) : c.soft.proxy(type, actualType, value);
    next.context = c;
    return next;
  }

  /**
   * Returns to the namespace's assert, to go on with another check of the same namespace.
   *
   * <pre>{@code
   * assertThat(ns).hasInterface("eth0").isUp()
   *     .and().hasDefaultRoute().via("172.17.0.1");
   * }</pre>
   *
   * @throws IllegalStateException if this assert was not reached from a namespace's assert
   */
  public NamespaceAssert and() {
    NamespaceAssert root = context().root;
    if (root == null) {
      throw new IllegalStateException("and() needs an assert reached from NetworkAssertions.assertThat(namespace)");
    }
    return root;
  }
}
