package dev.nsunit;

import dev.nsunit.NetworkPlan.Endpoint;
import dev.nsunit.NetworkPlan.Kind;
import dev.nsunit.NetworkPlan.Mode;
import dev.nsunit.internal.netlink.KernelFeatures;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.Netns;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.opentest4j.TestAbortedException;

/**
 * Builds the namespaces that {@link NoNetwork}, {@link HostNetwork}, {@link BridgeNetwork} and
 * {@link SharedNetworkWith} ask for, injects them into fields and parameters, runs
 * {@code @BeforeEach}, the test and {@code @AfterEach} on a thread inside the test's namespace,
 * and closes everything when the scope ends. Every store value is an {@link AutoCloseable}
 * owned by exactly one scope: the class (static endpoints) or the test (the rest).
 */
final class NetworkNamespaceExtension implements BeforeAllCallback, BeforeEachCallback,
    ParameterResolver, InvocationInterceptor {

  private static final Namespace NAMESPACE = Namespace.create(NetworkNamespaceExtension.class);
  private static final String SCOPE = "scope";
  private static final String ENDPOINT = "endpoint:";
  private static final long THREAD_STOP_MILLIS = 5_000;
  private static volatile NetworkNamespace labHandle;
  /** Classes whose declarations passed validation; a failed class is validated (and fails) again. */
  private static final java.util.Map<Class<?>, List<Endpoint>> VALIDATED = new java.util.concurrent.ConcurrentHashMap<>();

  // ---- building ----

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    List<Endpoint> endpoints = VALIDATED.computeIfAbsent(testClass, NetworkPlan::validate);
    List<Endpoint> statics = new ArrayList<>();
    for (Endpoint e : NetworkPlan.creationOrder(endpoints)) {
      // statics of enclosing classes belong to the enclosing class's own scope
      if (e.isStatic() && e.mode().kind() != Kind.EXTERNAL && e.field().getDeclaringClass().isAssignableFrom(testClass)) {
        statics.add(e);
      }
    }
    Scope scope = new Scope(null);
    context.getStore(NAMESPACE).put(SCOPE, scope);
    requirePrivileges(context, statics.stream().anyMatch(e -> e.mode().needsPrivileges()));
    for (Endpoint e : statics) {
      NetworkNamespace ns = build(e.mode(), e.name(), context, scope, endpoints, List.of());
      context.getStore(NAMESPACE).put(ENDPOINT + e.name(), ns);
      inject(e.field(), null, ns);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    Method method = context.getRequiredTestMethod();
    List<Object> instances = context.getRequiredTestInstances().getAllInstances();
    // beforeAll does not run when the extension is registered only on a method: validate here too
    List<Endpoint> endpoints = VALIDATED.computeIfAbsent(testClass, NetworkPlan::validate);
    List<Endpoint> perTest = new ArrayList<>();
    for (Endpoint e : NetworkPlan.creationOrder(endpoints)) {
      if (!e.isStatic() && e.mode().kind() != Kind.EXTERNAL && ownerOf(e.field(), instances) != null) {
        perTest.add(e);
      }
    }
    Optional<Mode> mode = NetworkPlan.testMode(method, testClass);
    requirePrivileges(context, perTest.stream().anyMatch(e -> e.mode().needsPrivileges())
        || mode.map(Mode::needsPrivileges).orElse(false));
    Scope scope = new Scope(method.getName());
    context.getStore(NAMESPACE).put(SCOPE, scope);
    for (Endpoint e : perTest) {
      NetworkNamespace ns = build(e.mode(), e.name(), context, scope, endpoints, instances);
      context.getStore(NAMESPACE).put(ENDPOINT + e.name(), ns);
      inject(e.field(), ownerOf(e.field(), instances), ns);
    }
    if (mode.isPresent()) {
      NetworkNamespace ns = build(mode.get(), method.getName(), context, scope, endpoints, instances);
      scope.testNamespace = ns;
      if (mode.get().kind() != Kind.HOST) {
        java.util.concurrent.ThreadFactory inside = ns.netns().threadFactory();
        scope.thread = Executors.newSingleThreadExecutor(task -> {
          Thread t = inside.newThread(task);
          scope.workers.add(t);
          return t;
        });
      }
    }
  }

  private static Object ownerOf(Field field, List<Object> instances) {
    for (Object instance : instances) {
      if (field.getDeclaringClass().isInstance(instance)) {
        return instance;
      }
    }
    return null;
  }

  private static void inject(Field field, Object instance, NetworkNamespace ns) {
    try {
      field.setAccessible(true);
      field.set(instance, ns);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExtensionConfigurationException("cannot assign endpoint " + NetworkPlan.describe(field)
          + ": " + e.getMessage() + ". Make the field non-final and accessible.", e);
    }
  }

  private static NetworkNamespace build(Mode mode, String name, ExtensionContext context, Scope scope,
      List<Endpoint> endpoints, List<Object> instances) {
    switch (mode.kind()) {
      case NONE: {
        NetworkNamespace ns = managed(Netns.create("endpoint " + name), name, null);
        scope.owned.add(ns);
        return ns;
      }
      case HOST: {
        NetworkNamespace ns = managed(Netns.host(), name, null);
        scope.owned.add(ns);
        return ns;
      }
      case BRIDGE: {
        NetworkPlan.BridgeSettings b = mode.bridge();
        Lab.Attachment attachment;
        try {
          KernelFeatures.require(KernelFeatures.Feature.VETH); // before the lab or anything else is built
          KernelFeatures.require(KernelFeatures.Feature.BRIDGE);
          Lab lab = Lab.get();
          attachment = lab.attach(name, lab.bridge(b.subnet(), b.gateway()), b.address(), b.mtu());
        } catch (IllegalArgumentException | IllegalStateException | UnsupportedOperationException e) {
          throw new ExtensionConfigurationException("@BridgeNetwork on " + mode.element() + ": " + e.getMessage(), e);
        }
        NetworkNamespace ns = managed(attachment.endpoint(), name, attachment);
        scope.owned.add(ns);
        return ns;
      }
      case SHARED: {
        Endpoint external = endpoints.stream()
            .filter(e -> e.name().equals(mode.sharedWith()) && e.mode().kind() == Kind.EXTERNAL)
            .findFirst().orElse(null);
        if (external != null) {
          NetworkNamespace ns = openExternal(external, mode, instances);
          scope.owned.add(ns);
          return ns;
        }
        NetworkNamespace target = context.getStore(NAMESPACE).get(ENDPOINT + mode.sharedWith(), NetworkNamespace.class);
        if (target == null) {
          throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.sharedWith() + "\") on "
              + mode.element() + " names an endpoint that does not exist in this scope (is it a per-test field"
              + " of another test class?). Declare it in this class or an enclosing one.");
        }
        return target;
      }
      default:
        throw new AssertionError(mode);
    }
  }

  /** Opens the namespace of a field's object (e.g. a started container) through its resolver. */
  private static NetworkNamespace openExternal(Endpoint external, Mode mode, List<Object> instances) {
    Object owner = external.isStatic() ? null : ownerOf(external.field(), instances);
    if (!external.isStatic() && owner == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.sharedWith() + "\") on " + mode.element()
          + " names the instance field " + NetworkPlan.describe(external.field()) + ", which has no test instance here;"
          + " make the field static.");
    }
    Object value;
    try {
      external.field().setAccessible(true);
      value = external.field().get(owner);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExtensionConfigurationException("cannot read " + NetworkPlan.describe(external.field()) + ": " + e.getMessage(), e);
    }
    if (value == null) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.sharedWith() + "\") on " + mode.element()
          + " names " + NetworkPlan.describe(external.field()) + ", which is null. Initialize the "
          + external.resolver().kind() + " in its declaration.");
    }
    try {
      NetworkNamespace opened = external.resolver().open(external.name(), value);
      return new NetworkNamespace(opened.netns(), opened.name(), opened.netns(), true);
    } catch (IllegalStateException e) {
      throw new ExtensionConfigurationException("@SharedNetworkWith(\"" + mode.sharedWith() + "\") on " + mode.element()
          + ": " + e.getMessage(), e);
    }
  }

  private static NetworkNamespace managed(Netns netns, String name, AutoCloseable owner) {
    return new NetworkNamespace(netns, name, owner != null ? owner : netns, true);
  }

  private static void requirePrivileges(ExtensionContext context, boolean needed) {
    if (!needed) {
      return;
    }
    Optional<String> missing = Privileges.missing();
    if (missing.isPresent()) {
      String policy = context.getConfigurationParameter(NsunitProperties.MISSING_PRIVILEGES).orElse("fail");
      if (policy.equalsIgnoreCase("abort")) {
        throw new TestAbortedException(missing.get());
      }
      if (!policy.equalsIgnoreCase("fail")) {
        throw new ExtensionConfigurationException(NsunitProperties.MISSING_PRIVILEGES + "=" + policy
            + " is not a valid value; use fail (the default) or abort.");
      }
      throw new ExtensionConfigurationException(missing.get());
    }
  }

  // ---- parameters ----

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == NetworkNamespace.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.isAnnotated(LabHost.class)) {
      return lab();
    }
    Scope scope = context.getStore(NAMESPACE).get(SCOPE, Scope.class);
    if (scope == null || scope.testNamespace == null) {
      String where = parameter.getDeclaringExecutable().getName() + "()";
      throw new ParameterResolutionException("parameter " + parameter.getParameter().getName() + " of " + where
          + " is a NetworkNamespace, but the test has no network mode. Annotate the test method or class with"
          + " @NoNetwork, @BridgeNetwork, @HostNetwork or @SharedNetworkWith (lifecycle methods such as @BeforeAll"
          + " get none: use a static endpoint field), or mark the parameter @LabHost.");
    }
    return scope.testNamespace;
  }

  private static NetworkNamespace lab() {
    NetworkNamespace h = labHandle;
    if (h == null) {
      synchronized (NetworkNamespaceExtension.class) {
        h = labHandle;
        if (h == null) {
          Netns lab = Lab.get().netns();
          h = new NetworkNamespace(lab, "lab host", () -> { }, true);
          labHandle = h;
        }
      }
    }
    return h;
  }

  // ---- running inside ----

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptAfterEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
      ExtensionContext context) throws Throwable {
    runInside(invocation, context);
  }

  private static void runInside(Invocation<Void> invocation, ExtensionContext context) throws Throwable {
    Scope scope = context.getStore(NAMESPACE).get(SCOPE, Scope.class);
    if (scope == null || scope.thread == null) {
      invocation.proceed();
      return;
    }
    Future<?> f = scope.thread.submit(() -> {
      try {
        invocation.proceed();
      } catch (Throwable t) {
        throw new Carrier(t);
      }
      return null;
    });
    try {
      f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof Carrier ? cause.getCause() : cause;
    } catch (InterruptedException e) {
      // e.g. @Timeout interrupting JUnit's thread: stop the body too, then report the interrupt
      f.cancel(true);
      throw e;
    }
  }

  /** Carries any Throwable out of the namespaced thread so it is rethrown unchanged. */
  private static final class Carrier extends Exception {
    private static final long serialVersionUID = 1L;

    Carrier(Throwable cause) {
      super(null, cause, false, false);
    }
  }

  // ---- cleanup ----

  /** What one scope (a class or a test) built; closing it stops the thread and drops the namespaces. */
  static final class Scope implements AutoCloseable {
    private final String test;
    final List<NetworkNamespace> owned = new ArrayList<>();
    NetworkNamespace testNamespace;
    ExecutorService thread;
    final List<Thread> workers = new java.util.concurrent.CopyOnWriteArrayList<>();

    Scope(String test) {
      this.test = test;
    }

    @Override
    public void close() {
      RuntimeException failure = null;
      if (thread != null) {
        thread.shutdownNow();
        try {
          if (!thread.awaitTermination(THREAD_STOP_MILLIS, TimeUnit.MILLISECONDS)) {
            failure = new IllegalStateException("the thread running test " + test + " is still busy "
                + THREAD_STOP_MILLIS + " ms after the test ended and ignores interrupts; its namespace stays alive until it ends");
          } else {
            for (Thread t : workers) {
              t.join(THREAD_STOP_MILLIS); // the pool reports termination before its thread is gone
            }
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      List<NetworkNamespace> inspect = new ArrayList<>();
      long hostInode = ThreadLeaks.hostInode();
      for (int i = owned.size() - 1; i >= 0; i--) {
        NetworkNamespace ns = owned.get(i);
        if (ns.id().inode() != hostInode) {
          inspect.add(ns);
        }
        try {
          ns.release();
        } catch (RuntimeException e) {
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      // released: any task still inside one of them is a thread the test started and left running
      for (NetworkNamespace ns : inspect) {
        List<String> leaked = ThreadLeaks.tasksIn(ns.id().inode());
        if (!leaked.isEmpty()) {
          RuntimeException e = new IllegalStateException((test == null ? "the class-level endpoints" : "test " + test)
              + " left " + leaked.size() + " thread(s) running in " + ns + " after " + (test == null ? "the class" : "it")
              + " ended: " + leaked + ". nsunit closed the namespace's descriptors, but each of these threads keeps"
              + " the namespace alive until it exits. Stop threads you start (interrupt and join them) before the"
              + " test or its @AfterEach returns.");
          if (failure == null) {
            failure = e;
          } else {
            failure.addSuppressed(e);
          }
        }
      }
      if (failure != null) {
        throw failure;
      }
    }
  }
}
