package dev.nsunit;

import dev.nsunit.NetworkPlan.Endpoint;
import dev.nsunit.internal.capture.PacketCapture;
import dev.nsunit.internal.junit.UndeclaredNamespaceParameters;
import dev.nsunit.internal.ns.Lab;
import dev.nsunit.internal.ns.NamespacePool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.MediaType;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
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
    AfterTestExecutionCallback, ParameterResolver, InvocationInterceptor {

  private static final Namespace NAMESPACE = Namespace.create(NetworkNamespaceExtension.class);
  private static final String SCOPE = "scope";
  private static final String ENDPOINT = "endpoint:";
  private static final String STARTED = "started";
  private static final Pattern INVOCATION = Pattern.compile("\\[test-template-invocation:#(\\d+)\\]$");
  private static final long DEFAULT_RING_BYTES = 1 << 20;

  // ---- building ----

  @Override
  public void beforeAll(ExtensionContext context) {
    Class<?> testClass = context.getRequiredTestClass();
    configurePool(context);
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
    ScopeResources scope = ScopeResources.forClass(ignoredThreads(context), captureBytes(context));
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
    List<FaultAnnotations.Declared> faults = faults(context, plan, method, mode.isPresent());
    PrivilegePolicy.require(context, perTest.stream().anyMatch(e -> e.mode().needsPrivileges())
        || mode.map(Mode::needsPrivileges).orElse(false));
    ScopeResources scope = ScopeResources.forTest(method.getName(), ignoredThreads(context),
        captureBytes(context));
    context.getStore(NAMESPACE).put(SCOPE, scope);
    context.getStore(NAMESPACE).put(STARTED, PacketCapture.nowEpochNanos());
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
   * Sizes the JVM's namespace pool from {@link NsunitProperties#POOL_SIZE}, once per run, and
   * closes what it holds when the run ends (the root context's store closes its values then).
   */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: see plan()
  private static void configurePool(ExtensionContext context) {
    context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(NamespacePool.class, k -> {
      context.getConfigurationParameter(NsunitProperties.POOL_SIZE).ifPresent(v -> {
        try {
          NamespacePool.shared().resize(NamespacePool.parseSize(v, "configuration parameter " + NsunitProperties.POOL_SIZE));
        } catch (IllegalArgumentException e) {
          throw new ExtensionConfigurationException(e.getMessage() + ". Fix it where it is set (junit-platform.properties,"
              + " Surefire's configurationParameters or -D" + NsunitProperties.POOL_SIZE + ").", e);
        }
      });
      AutoCloseable drain = () -> NamespacePool.shared().drain();
      return drain;
    }, AutoCloseable.class);
  }

  /**
   * The class's plan, made once and kept in the store of the class (or nested class) it describes.
   * JUnit 6 deprecates {@code getOrComputeIfAbsent} for {@code computeIfAbsent}, which JUnit 5.13
   * and 5.14 lack; nsunit supports both lines, so it keeps the call that exists in both.
   */
  @SuppressWarnings("deprecation")
  private static NetworkPlan plan(ExtensionContext context) {
    return classContext(context).getStore(NAMESPACE).getOrComputeIfAbsent(context.getRequiredTestClass(),
        NetworkPlan::of, NetworkPlan.class);
  }

  /** The context of the class (or nested class) a test method's context belongs to. */
  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext owner = context;
    while (owner.getTestMethod().isPresent() && owner.getParent().isPresent()) {
      owner = owner.getParent().get();
    }
    return owner;
  }

  /**
   * The faults declared for {@code method}, read once per method and class and kept with the
   * plan (repeated and parameterized tests, and every test of a class, would otherwise search the
   * annotations again). A declaration that is wrong throws each time and is not kept.
   */
  @SuppressWarnings("deprecation") // getOrComputeIfAbsent: see plan()
  private static List<FaultAnnotations.Declared> faults(ExtensionContext context, NetworkPlan plan, Method method,
      boolean ownNamespace) {
    Class<?> testClass = context.getRequiredTestClass();
    return classContext(context).getStore(NAMESPACE).getOrComputeIfAbsent(new FaultsKey(testClass, method),
        k -> new DeclaredFaults(FaultAnnotations.of(method, testClass, endpointNames(plan), ownNamespace)),
        DeclaredFaults.class).list();
  }

  private record FaultsKey(Class<?> testClass, Method method) {}

  private record DeclaredFaults(List<FaultAnnotations.Declared> list) {}

  private static long captureBytes(ExtensionContext context) {
    if (!context.getConfigurationParameter(NsunitProperties.CAPTURE, Boolean::parseBoolean).orElse(true)) {
      return 0;
    }
    return context.getConfigurationParameter(NsunitProperties.CAPTURE_RING_BYTES, Long::parseLong)
        .orElse(DEFAULT_RING_BYTES);
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

  // ---- evidence ----

  /**
   * A failed test leaves its evidence (FailureEvidence) while its namespaces and faults are still
   * there: right after the test method, before {@code @AfterEach}.
   */
  @Override
  public void afterTestExecution(ExtensionContext context) {
    Optional<Throwable> failure = context.getExecutionException();
    Optional<ScopeResources> scope = scope(context);
    if (failure.isEmpty() || scope.isEmpty()) {
      return;
    }
    Store store = context.getStore(NAMESPACE);
    Map<String, NetworkNamespace> used = new LinkedHashMap<>();
    scope.get().testNamespace().filter(ns -> !ns.isHost()).ifPresent(ns -> used.put(context.getRequiredTestMethod()
        .getName(), ns));
    for (Endpoint e : plan(context).endpoints()) {
      NetworkNamespace ns = store.get(ENDPOINT + e.name(), NetworkNamespace.class);
      if (ns != null && !ns.isHost()) {
        used.put(e.name(), ns);
      }
    }
    if (used.isEmpty()) {
      return;
    }
    Long started = store.get(STARTED, Long.class);
    String test = context.getRequiredTestClass().getSimpleName() + "." + context.getRequiredTestMethod().getName()
        + "()";
    NetworkNamespace lab = Lab.existing().map(l -> EndpointFactory.labHost()).orElse(null);
    List<FailureEvidence.Item> items = FailureEvidence.collect(test, failure.get(), used, lab,
        started == null ? 0 : started);
    Matcher invocation = INVOCATION.matcher(context.getUniqueId());
    String dir = context.getRequiredTestMethod().getName() + (invocation.find() ? "-" + invocation.group(1) : "");
    Path fallback = Path.of(context.getConfigurationParameter(NsunitProperties.EVIDENCE_DIR)
        .orElse("target/nsunit-evidence"), FailureEvidence.fileSafe(context.getRequiredTestClass().getName()), dir);
    List<Path> written = new ArrayList<>();
    for (FailureEvidence.Item item : items) {
      written.add(publish(context, item, fallback));
    }
    // one line on the test's stderr too, which Surefire's XML keeps with the failure, for readers without an IDE
    System.err.println("nsunit: the network evidence of " + test + " is in " + written.stream().filter(Objects::nonNull)
        .map(p -> p.toAbsolutePath().toString()).collect(Collectors.joining(", ")));
  }

  /** Through JUnit's file entries (5.14+); before that, a file under {@code fallback} and a report entry with its path. */
  private static Path publish(ExtensionContext context, FailureEvidence.Item item, Path fallback) {
    Path[] where = new Path[1];
    try {
      context.publishFile(item.fileName(), MediaType.parse(item.mediaType()), p -> {
        Files.write(p, item.content());
        where[0] = p;
      });
      return where[0];
    } catch (LinkageError | RuntimeException e) {
      // an older JUnit Platform, or one with nowhere to put files: fall back
    }
    try {
      Files.createDirectories(fallback);
      Path file = fallback.resolve(item.fileName());
      Files.write(file, item.content());
      context.publishReportEntry("nsunit." + item.fileName(), file.toAbsolutePath().toString());
      return file;
    } catch (IOException e) {
      context.publishReportEntry("nsunit." + item.fileName(), "could not be written: " + e);
      return null;
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
