package dev.nsunit.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class AwaitTests {

  @Test
  void returnsTheFirstValueThatIsDone() {
    AtomicInteger reads = new AtomicInteger();
    int value = Await.until("three reads", reads::incrementAndGet, v -> v >= 3);
    assertThat(value).isEqualTo(3);
    assertThat(reads).hasValue(3);
  }

  @Test
  void aConditionThatHoldsAtOnceIsReadOnce() {
    AtomicInteger reads = new AtomicInteger();
    Await.until("anything", () -> reads.incrementAndGet() > 0);
    assertThat(reads).hasValue(1);
  }

  @Test
  void reachingTheBoundFailsWithWhatItWaitedForAndTheLastValue() {
    AtomicInteger reads = new AtomicInteger();
    assertThatThrownBy(() -> Await.until("the leftovers to go", Duration.ofMillis(50),
        () -> "leftovers after read " + reads.incrementAndGet(), String::isEmpty))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage("waited 50 ms for the leftovers to go; last seen: leftovers after read " + reads.get());
    assertThat(reads.get()).isGreaterThan(1);
  }

  @Test
  void aBooleanWaitFailsWithItsEvidence() {
    assertThatThrownBy(() -> Await.until("port 80 to listen", Duration.ofSeconds(0), () -> false, () -> "ss: (nothing)"))
        .isExactlyInstanceOf(AssertionError.class)
        .hasMessage("waited 0 s for port 80 to listen; last seen: ss: (nothing)");
    assertThatThrownBy(() -> Await.until("a miracle", Duration.ofSeconds(0), () -> false, () -> "it never held"))
        .hasMessage("waited 0 s for a miracle; last seen: it never held");
  }

  @Test
  void anExceptionFromTheConditionEndsTheWaitUnchanged() {
    IllegalStateException died = new IllegalStateException("the server exited 1");
    assertThatThrownBy(() -> Await.until("the server to listen", () -> {
      throw died;
    })).isSameAs(died);
  }

  @Test
  void anInterruptEndsTheWaitAndStaysSet() {
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> Await.until("never", () -> false))
          .isExactlyInstanceOf(AssertionError.class).hasMessage("interrupted while waiting for never; last seen: it never held");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
