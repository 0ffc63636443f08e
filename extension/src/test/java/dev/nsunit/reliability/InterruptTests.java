package dev.nsunit.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nsunit.NetworkNamespace;
import dev.nsunit.testing.NamespaceHolders;
import org.junit.jupiter.api.Test;

/**
 * Interrupts at awkward moments: {@code close()} called from inside {@code call()} does not
 * interrupt its own caller.
 */
class InterruptTests {
  @Test
  void closeFromInsideCallDoesNotInterruptItsOwnThreadOrTheCaller() throws Exception {
    NetworkNamespace ns = NetworkNamespace.create("self-closing");
    long inode = ns.id().inode();
    boolean interruptedInside = ns.call(() -> {
      ns.close();
      return Thread.currentThread().isInterrupted();
    });
    assertThat(interruptedInside).as("interrupt flag of the thread that called close() inside call()").isFalse();
    assertThat(Thread.currentThread().isInterrupted()).as("interrupt flag of call()'s caller").isFalse();
    assertThat(ns.isClosed()).isTrue();
    CloseRaceTests.awaitNoThreadIn(inode, "after the task returned");
  }
}
