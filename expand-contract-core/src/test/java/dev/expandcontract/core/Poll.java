package dev.expandcontract.core;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waits for a condition another thread or session brings about, failing after a deadline. */
final class Poll {

  private Poll() {}

  static void until(Duration timeout, String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting until " + what);
      }
      // Re-checks every 20 ms; the condition, not this pause, is the synchronisation.
      LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
    }
  }
}
