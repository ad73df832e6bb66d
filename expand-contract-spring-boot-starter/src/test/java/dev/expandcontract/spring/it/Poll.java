package dev.expandcontract.spring.it;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** Waits for a condition with a deadline; the pause between checks is not synchronisation. */
public final class Poll {

  private static final Duration INTERVAL = Duration.ofMillis(25);

  private Poll() {}

  public static void until(Duration timeout, String what, Supplier<Boolean> condition) {
    until(timeout, what, condition, Boolean.TRUE::equals);
  }

  public static <T> T until(Duration timeout, String what, Supplier<T> value, Predicate<T> done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T last = null;
    while (true) {
      last = value.get();
      if (done.test(last)) {
        return last;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out after "
                + timeout.toMillis()
                + " ms waiting for "
                + what
                + "; last: "
                + last);
      }
      try {
        Thread.sleep(INTERVAL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for " + what, e);
      }
    }
  }
}
