package dev.expandcontract.core.migration;

import java.time.Duration;

/**
 * How a backfill paces itself. The batch size adapts between {@code minBatchSize} and {@code
 * maxBatchSize} so that one batch takes about {@code targetBatchTime}.
 *
 * <p>The defaults aim at being unnoticeable to the service's traffic: a batch holds its row locks
 * for its whole duration, and a writer that hits one waits that long, so the default target is a
 * short 25 ms. There is no pause between batches by default: measured under an open-loop load
 * (BENCHMARKS.md), short batches kept the load's p99 down where a pause only made the backfill
 * slower; the throttle ({@link ThrottleSettings}) cuts batches that made sessions wait and pauses
 * when the database is busy. The maximum is high enough that the target, not the row cap, bounds a
 * batch (a 20,000-row cap kept batches far below a 500 ms target).
 *
 * @param batchSize rows per batch at the start
 * @param minBatchSize lower bound of the adaptive batch size
 * @param maxBatchSize upper bound of the adaptive batch size
 * @param targetBatchTime the batch duration the adaptive size aims for
 * @param pauseBetweenBatches breathing room left to the application between two batches
 * @param lockTimeout how long a batch waits for a row lock before it gives up and retries
 * @param statementTimeout upper bound of one batch statement
 * @param maxRetries failed attempts of one batch before the backfill pauses with the error
 * @param retryBackoff base of the jittered exponential back-off between attempts
 * @param throttle when the backfill slows down for the database's health
 */
public record BackfillSettings(
    int batchSize,
    int minBatchSize,
    int maxBatchSize,
    Duration targetBatchTime,
    Duration pauseBetweenBatches,
    Duration lockTimeout,
    Duration statementTimeout,
    int maxRetries,
    Duration retryBackoff,
    ThrottleSettings throttle) {

  public static final BackfillSettings DEFAULTS =
      new BackfillSettings(
          1000,
          50,
          100_000,
          Duration.ofMillis(25),
          Duration.ZERO,
          Duration.ofMillis(500),
          Duration.ofSeconds(30),
          5,
          Duration.ofMillis(200),
          ThrottleSettings.DEFAULTS);

  public BackfillSettings {
    require(minBatchSize >= 1, "minBatchSize must be at least 1, was " + minBatchSize);
    require(
        maxBatchSize >= minBatchSize,
        "maxBatchSize (" + maxBatchSize + ") must be >= minBatchSize (" + minBatchSize + ")");
    require(
        batchSize >= minBatchSize && batchSize <= maxBatchSize,
        "batchSize " + batchSize + " must lie in [" + minBatchSize + ", " + maxBatchSize + "]");
    requirePositive(targetBatchTime, "targetBatchTime");
    require(!pauseBetweenBatches.isNegative(), "pauseBetweenBatches must not be negative");
    requirePositive(lockTimeout, "lockTimeout");
    requirePositive(statementTimeout, "statementTimeout");
    require(maxRetries >= 0, "maxRetries must not be negative, was " + maxRetries);
    require(!retryBackoff.isNegative(), "retryBackoff must not be negative");
    require(throttle != null, "throttle must be set");
  }

  public BackfillSettings withBatchSize(int size) {
    int min = Math.min(minBatchSize, size);
    int max = Math.max(maxBatchSize, size);
    return new BackfillSettings(
        size,
        min,
        max,
        targetBatchTime,
        pauseBetweenBatches,
        lockTimeout,
        statementTimeout,
        maxRetries,
        retryBackoff,
        throttle);
  }

  private static void requirePositive(Duration d, String name) {
    require(d != null && !d.isNegative() && !d.isZero(), name + " must be positive, was " + d);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
