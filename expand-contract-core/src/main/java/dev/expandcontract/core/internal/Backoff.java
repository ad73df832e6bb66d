package dev.expandcontract.core.internal;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Jittered exponential back-off, shared by every retry in the library (backfill batches, contract
 * DDL, repository calls that lost a lock): jitter keeps retrying instances from colliding again.
 */
public final class Backoff {

  private Backoff() {}

  /** base × 2^(attempt-1) × a random factor in [0.5, 1.5), never more than {@code cap}. */
  public static Duration delay(Duration base, int attempt, Duration cap) {
    double jitter = 0.5 + ThreadLocalRandom.current().nextDouble();
    long millis = (long) (base.toMillis() * Math.pow(2, attempt - 1) * jitter);
    return Duration.ofMillis(Math.min(millis, cap.toMillis()));
  }

  /** Sleeps {@link #delay}; an interrupt ends the retrying with an exception naming it. */
  public static void pause(Duration base, int attempt, Duration cap, String retrying) {
    try {
      Thread.sleep(delay(base, attempt, cap).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while retrying " + retrying, e);
    }
  }
}
