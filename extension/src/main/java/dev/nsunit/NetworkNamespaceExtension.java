package dev.nsunit;

import dev.nsunit.NetworkPlan.Endpoint;
import dev.nsunit.internal.junit.UndeclaredNamespaceParameters;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.DynamicTestInvocationContext;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ExtensionContext.Store;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * Builds the namespaces that {@link NoNetwork}, {@link HostNetwork}, {@link BridgeNetwork} and
 * {@link SharedNetworkWith} ask for, injects them into fields and parameters, runs
 * {@code @BeforeEach}, the test and {@code @AfterEach} on a thread inside the test's namespace
 * (watching for sockets they open outside it: {@link EscapeCheck}), and leaves cleanup to
 * JUnit's store: every value it puts there is owned by exactly one scope, the class (static
 * endpoints) or the test (the rest).
 */
final class NetworkNamespaceExtension implements BeforeAllCallback, BeforeEachCallback,
    ParameterResolver, InvocationInterceptor {

  private static final Namespace NAMESPACE = Namespace.create(NetworkNamespaceExtension.class);
  private static final String SCOPE = "scope";
  private static final String ENDPOINT = "endpoint:";

  // ---- building ----

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    NetworkPlan plan = plan(context);
    List<Endpoint> statics = plan.endpoints().stream()
        // statics of enclosing classes belong to the enclosing class's own scope
        .filter(e -> e.isStatic() && e.field().getDeclaringClass().isAssignableFrom(testClass))
        .toList();
    // every test's declared faults are checked now, before the class's endpoints are built
    Set<String> names = endpointNames(plan);
    for (Method m : AnnotationSupport.findAnnotatedMethods(testClass, Testable.class, HierarchyTraversalMode.TOP_DOWN)) {
      FaultAnnotations.of(m, testClass, names, plan.testMode(m).isPresent());
    }
    PrivilegePolicy.require(context, statics.stream().anyMatch(e -> e.mode().needsPrivileges()));
    ScopeResources scope = ScopeResources.forClass(ignoredThreads(context));
    context.getStore(NAMESPACE).put(SCOPE, scope);
    for (Endpoint e : statics) {
      NetworkNamespace ns = factory(e.name(), plan, scope, context, List.of()).build(e.mode());
      context.getStore(NAMESPACE).put(ENDPOINT + e.name(), ns);
      inject(e.field(), null, ns);
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Method method = context.getRequiredTestMethod();
    List<Object> instances = context.getRequiredTestInstances().getAllInstances();
    // beforeAll does not run when the extension is registered only on a method: the plan is made here then
    NetworkPlan plan = plan(context);
    List<Endpoint> perTest = plan.endpoints().stream()
        .filter(e -> !e.isStatic() && EndpointFactory.ownerOf(e.field().getDeclaringClass(), instances) != null)
        .toList();
    Optional<Mode> mode = plan.testMode(method);
    List<FaultAnnotations.Declared> faults = FaultAnnotations.of(method, context.getRequiredTestClass(),
        endpointNames(plan), mode.isPresent());
    PrivilegePolicy.require(context, perTest.stream().anyMatch(e -> e.mode().needsPrivileges())
        || mode.map(Mode::needsPrivileges).orElse(false));
    ScopeResources scope = ScopeResources.forTest(method.getName(), ignoredThreads(context));
    context.getStore(NAMESPACE).put(SCOPE, scope);
    for (Endpoint e : perTest) {
      NetworkNamespace ns = factory(e.name(), plan, scope, context, instances).build(e.mode());
      context.getStore(NAMESPACE).put(ENDPOINT + e.name(), ns);
      inject(e.field(), EndpointFactory.ownerOf(e.field().getDeclaringClass(), instances), ns);
    }
    if (mode.isPresent()) {
      NetworkNamespace ns = factory(method.getName(), plan, scope, context, instances).build(mode.get());
      scope.runTestIn(ns, !(mode.get() instanceof Mode.Host));
    }
    Store store = context.getStore(NAMESPACE);
    for (FaultAnnotations.Declared f : faults) {
      scope.adopt(f.apply(name -> name.isEmpty() ? scope.testNamespace().orElseThrow()
          : store.get(ENDPOINT + name, NetworkNamespace.class)));
    }
  }

  /**
   * The class's plan, made once and kept in the store of the class (or nested class) it describes.
   * JUnit 6 deprecates {@code getOrComputeIfAbsent} for {@code computeIfAbsent}, which JUnit 5.13
   * and 5.14 lack; nsunit supports both lines, so it keeps the call that exists in both.
   */
  @SuppressWarnings("deprecation")
  private static NetworkPlan plan(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    ExtensionContext owner = context;
    while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
      owner = owner.getParent().get();
    }
    return owner.getStore(NAMESPACE).getOrComputeIfAbsent(testClass, NetworkPlan::of, NetworkPlan.class);
  }

  private static Set<String> endpointNames(NetworkPlan plan) {
    return plan.endpoints().stream().map(Endpoint::name).collect(Collectors.toCollection(TreeSet::new));
  }

  private static IgnoredThreads ignoredThreads(ExtensionContext context) {
    return context.getConfigurationParameter(NsunitProperties.THREADS_IGNORE).map(IgnoredThreads::parse)
        .orElse(IgnoredThreads.NONE);
  }

  private static EndpointFactory factory(String name, NetworkPlan plan, ScopeResources scope,
      ExtensionContext context, List<Object> instances) {
    Store store = context.getStore(NAMESPACE);
    Function<String, NetworkNamespace> built = endpoint -> store.get(ENDPOINT + endpoint, NetworkNamespace.class);
    return new EndpointFactory(name, plan, scope, built, instances);
  }

  private static void inject(Field field, Object instance, NetworkNamespace ns) {
    try {
      field.setAccessible(true);
      field.set(instance, ns);
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new ExtensionConfigurationException("cannot assign endpoint " + ModeAnnotations.describe(field)
          + ": " + e.getMessage() + ". Make the field non-final and accessible.", e);
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
      return EndpointFactory.labHost();
    }
    return scope(context).flatMap(ScopeResources::testNamespace).orElseThrow(() -> {
      String where = parameter.getDeclaringExecutable().getName() + "()";
      return new ParameterResolutionException(
          UndeclaredNamespaceParameters.message(
          UndeclaredNamespaceParameters.nameOf(parameter.getParameter(), parameter.getIndex()), where));
    });
  }

  private static Optional<ScopeResources> scope(ExtensionContext context) {
    return Optional.ofNullable(context.getStore(NAMESPACE).get(SCOPE, ScopeResources.class));
  }

  // ---- running inside ----

  @Override
  public void interceptBeforeEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context, "@BeforeEach " + invocationContext.getExecutable().getName() + "()");
  }

  @Override
  public void interceptTestMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context, "test");
  }

  @Override
  public void interceptTestTemplateMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context, "test");
  }

  @Override
  public void interceptAfterEachMethod(Invocation<Void> invocation,
      ReflectiveInvocationContext<Method> invocationContext, ExtensionContext context) throws Throwable {
    runInside(invocation, context, "@AfterEach " + invocationContext.getExecutable().getName() + "()");
  }

  @Override
  public void interceptDynamicTest(Invocation<Void> invocation, DynamicTestInvocationContext invocationContext,
      ExtensionContext context) throws Throwable {
    runInside(invocation, context, "dynamic test " + context.getDisplayName());
  }

  /** Runs {@code what} on the test's thread, if it has one, watching for sockets it opens outside (EscapeCheck). */
  private static void runInside(Invocation<Void> invocation, ExtensionContext context, String what) throws Throwable {
    Optional<ScopeResources> scope = scope(context);
    Optional<TestThread> thread = scope.flatMap(ScopeResources::testThread);
    if (thread.isEmpty()) {
      invocation.proceed();
      return;
    }
    EscapeCheck.around(context, what, scope.get().testNamespace(), () -> thread.get().run(invocation));
  }
}
