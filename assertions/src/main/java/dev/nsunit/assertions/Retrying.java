package dev.nsunit.assertions;

import dev.nsunit.NetworkNamespace;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.description.modifier.Visibility;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;
import net.bytebuddy.implementation.InvocationHandlerAdapter;
import net.bytebuddy.matcher.ElementMatchers;
import org.assertj.core.api.AbstractAssert;
import org.assertj.core.description.Description;

/**
 * The machinery of {@link NamespaceAssert#within(Duration)}: asserts whose every call is recorded
 * and replayed, from a fresh {@code assertThat(namespace)} (a new snapshot, new probes), until the
 * whole chain so far passes or the time is up. A navigation ({@code hasInterface("eth0")}) is
 * retried like a check, so {@code within(...).hasInterface("eth1").isUp()} waits for eth1 to
 * appear and then to come up. Works for every method of every assert, AssertJ's inherited ones
 * included, because the proxies (generated subclasses, one per assert type) intercept them all.
 *
 * <p>All calls of one chain share one deadline, set by the first call. Between tries it waits 10
 * ms, doubling up to 200 ms. On time-out it throws the last failure, whose message carries that
 * try's evidence, with the number of tries and the time spent.
 */
final class Retrying implements InvocationHandler {
  private static final String HANDLER = "nsunit$retrying";
  private static final long FIRST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final long MAX_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
  private static final Map<Class<?>, Class<?>> PROXY_TYPES = new ConcurrentHashMap<>();

  /** One recorded call; the arguments as given (nulls allowed). */
  private record Call(Method method, List<Object> args) {
    Object invokeOn(Object target) throws ReflectiveOperationException {
      return method.invoke(target, args.toArray());
    }
  }

  /** What every proxy of one {@code within} shares: the namespace, the settings, the deadline. */
  private static final class Chain {
    final NetworkNamespace namespace;
    final Duration timeout;
    final Duration probeTimeout;
    final Description description;
    long deadline; // set by the first call, guarded by this
    boolean started; // guarded by this

    Chain(NetworkNamespace namespace, Duration timeout, Duration probeTimeout, Description description) {
      this.namespace = namespace;
      this.timeout = timeout;
      this.probeTimeout = probeTimeout;
      this.description = description;
    }

    synchronized long deadline() {
      if (!started) {
        started = true;
        deadline = System.nanoTime() + timeout.toNanos();
      }
      return deadline;
    }
  }

  private final Chain chain;
  private final List<Call> calls;

  private Retrying(Chain chain, List<Call> calls) {
    this.chain = chain;
    this.calls = calls;
  }

  /** The retrying root assert for {@code namespace}. */
  static NamespaceAssert root(NetworkNamespace namespace, Duration timeout, Duration probeTimeout,
      Description description) {
    return proxy(NamespaceAssert.class, new Retrying(new Chain(namespace, timeout, probeTimeout, description), List.of()));
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    Object[] arguments = args == null ? new Object[0] : args.clone();
    switch (method.getName()) {
      case "equals":
        if (arguments.length == 1 && method.getParameterTypes()[0] == Object.class) {
          return proxy == arguments[0];
        }
        break;
      case "hashCode":
        if (arguments.length == 0) {
          return System.identityHashCode(proxy);
        }
        break;
      case "toString":
        if (arguments.length == 0) {
          return "retrying assert (within " + chain.timeout + ") on " + chain.namespace + " after " + calls.size() + " call(s)";
        }
        break;
      case "within":
        if (arguments.length == 1 && arguments[0] instanceof Duration d) {
          Chain longer = new Chain(chain.namespace, d, chain.probeTimeout, chain.description);
          return proxy(NamespaceAssert.class, new Retrying(longer, calls));
        }
        break;
      default:
        break;
    }
    List<Call> extended = new ArrayList<>(calls);
    extended.add(new Call(method, Collections.unmodifiableList(Arrays.asList(arguments))));
    Object result = untilPasses(extended);
    if (result instanceof AbstractAssert<?, ?> a && isProxyable(a.getClass())) {
      return proxy(a.getClass(), new Retrying(chain, List.copyOf(extended)));
    }
    return result;
  }

  /** Replays {@code chain} until it passes; the result of its last call. */
  private Object untilPasses(List<Call> chainCalls) throws Throwable {
    long deadline = chain.deadline();
    long start = System.nanoTime();
    long pause = FIRST_PAUSE_NANOS;
    int tries = 0;
    while (true) {
      tries++;
      try {
        return replay(chainCalls);
      } catch (AssertionError e) {
        long now = System.nanoTime();
        if (now - deadline >= 0 || Thread.currentThread().isInterrupted()) {
          throw timedOut(e, tries, now - start);
        }
        LockSupport.parkNanos(Math.min(pause, deadline - now));
        pause = Math.min(pause * 2, MAX_PAUSE_NANOS);
      }
    }
  }

  private AssertionError timedOut(AssertionError last, int tries, long spentNanos) {
    String message = last.getMessage() + System.lineSeparator() + "(tried " + tries + (tries == 1 ? " time" : " times")
        + " in " + String.format("%.1f", spentNanos / 1e9) + " s, within(" + chain.timeout + "); the evidence above is"
        + " the last try's)";
    AssertionError e = new AssertionError(message, last.getCause());
    e.setStackTrace(last.getStackTrace());
    return e;
  }

  private Object replay(List<Call> chainCalls) throws Throwable {
    NamespaceAssert root = new NamespaceAssert(chain.namespace);
    root.context().timeout = chain.probeTimeout;
    if (chain.description != null && !chain.description.value().isEmpty()) {
      root = root.describedAs(chain.description);
    }
    Object current = root;
    for (Call c : chainCalls) {
      try {
        current = c.invokeOn(current);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
    }
    return current;
  }

  private static boolean isProxyable(Class<?> type) {
    return Modifier.isPublic(type.getModifiers()) && !Modifier.isFinal(type.getModifiers())
        && type.getPackageName().equals(Retrying.class.getPackageName());
  }

  /** An instance of the generated subclass of {@code type} whose every overridable method {@code handler} answers. */
  private static <T> T proxy(Class<T> type, Retrying handler) {
    Class<?> proxyType = PROXY_TYPES.computeIfAbsent(type, Retrying::generate);
    try {
      Constructor<?> ctor = proxyType.getConstructors()[0];
      Object instance = ctor.newInstance(new Object[ctor.getParameterCount()]);
      proxyType.getField(HANDLER).set(instance, handler);
      return type.cast(instance);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create the retrying proxy of " + type.getName(), e);
    }
  }

  private static Class<?> generate(Class<?> type) {
    try {
      return new ByteBuddy()
          .subclass(type)
          .name(type.getName() + "$Retrying")
          .defineField(HANDLER, InvocationHandler.class, Visibility.PUBLIC)
          .method(ElementMatchers.isPublic().and(ElementMatchers.not(ElementMatchers.isFinal()))
              .and(ElementMatchers.not(ElementMatchers.isStatic())))
          .intercept(InvocationHandlerAdapter.toField(HANDLER))
          .make()
          .load(type.getClassLoader(), ClassLoadingStrategy.UsingLookup.of(
              MethodHandles.privateLookupIn(type, MethodHandles.lookup())))
          .getLoaded();
    } catch (IllegalAccessException e) {
      throw new IllegalStateException("cannot generate the retrying proxy of " + type.getName(), e);
    }
  }
}
