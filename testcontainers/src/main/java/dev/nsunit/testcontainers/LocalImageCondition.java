package dev.nsunit.testcontainers;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.testcontainers.DockerClientFactory;

/** Implements {@link EnabledIfImagePresent}: asks the Docker engine, never a registry. */
final class LocalImageCondition implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return context.getElement()
        .flatMap(e -> AnnotationSupport.findAnnotation(e, EnabledIfImagePresent.class))
        .map(a -> evaluate(a.value()))
        .orElse(ConditionEvaluationResult.enabled("no @EnabledIfImagePresent"));
  }

  private static ConditionEvaluationResult evaluate(String image) {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return ConditionEvaluationResult.disabled("Docker is not available");
    }
    try {
      DockerClientFactory.instance().client().inspectImageCmd(image).exec();
      return ConditionEvaluationResult.enabled("image " + image + " is present");
    } catch (RuntimeException e) { // docker-java's NotFoundException, without naming its package
      return ConditionEvaluationResult.disabled("image " + image + " is not present in this Docker engine, and"
          + " these tests never pull; build it first (in this repository: sudo ci/docker-engine.sh start)");
    }
  }
}
