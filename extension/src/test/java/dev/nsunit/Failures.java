package dev.nsunit;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.util.List;
import java.util.stream.Collectors;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Event;
import org.junit.platform.testkit.engine.Events;

/** The failures of an EngineTestKit run, readable in an assertion message. */
final class Failures {
  private Failures() {}

  /** Each failed test or container as {@code "display name: exception"}; empty if none failed. */
  static List<String> of(Events events) {
    return events.failed().stream().map(Failures::describe).collect(Collectors.toList());
  }

  /** The exception a failed event carries. */
  static Throwable throwable(Event event) {
    return event.getPayload(TestExecutionResult.class).flatMap(TestExecutionResult::getThrowable)
        .orElseThrow(() -> new AssertionError("no exception in " + event));
  }

  /** Runs {@code testClass} with EngineTestKit and returns the exception of its first failed event. */
  static Throwable firstOf(Class<?> testClass) {
    Event failed = EngineTestKit.engine("junit-jupiter").selectors(selectClass(testClass)).execute().allEvents()
        .failed().stream().findFirst().orElseThrow(() -> new AssertionError(testClass.getSimpleName() + " did not fail"));
    return throwable(failed);
  }

  private static String describe(Event e) {
    return e.getTestDescriptor().getDisplayName() + ": " + throwable(e);
  }
}
