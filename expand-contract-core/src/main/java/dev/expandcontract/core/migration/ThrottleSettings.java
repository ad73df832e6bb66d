package dev.expandcontract.core.migration;

import java.time.Duration;

/**
 * When a backfill slows down for the database's health, read at the end of every batch (the shapes
 * of gh-ost's {@code --max-load}/{@code --critical-load} and Spirit's commit-latency throttle).
 * Below every threshold a backfill pauses {@link BackfillSettings#pauseBetweenBatches()} while the
 * service is active on the database, and not at all when nothing else runs there.
 *
 * @param maxBlockedSessions sessions waiting on the batch's row locks when it ends; at or above
 *     this the next batch is cut to half the size
 * @param maxActiveSessions other sessions running a statement or inside a transaction on the
 *     database; at or above this the backfill pauses {@code throttledPause} between batches
 * @param maxCommitTime the batch's checkpoint and commit; at or above this (the database's write
 *     path is saturated) the backfill pauses {@code throttledPause} between batches
 * @param criticalActiveSessions at or above this no batch runs until the count falls below it
 * @param throttledPause the pause between batches while throttled
 * @param fullSpeedBatchTime the batch duration aimed for while nothing else runs on the database
 *     (there are no writers to keep waiting, so longer batches only save per-batch costs); the
 *     first batch after the service shows up may take this long, the next is cut to the target
 */
public record ThrottleSettings(
    int maxBlockedSessions,
    int maxActiveSessions,
    Duration maxCommitTime,
    int criticalActiveSessions,
    Duration throttledPause,
    Duration fullSpeedBatchTime) {

  public static final ThrottleSettings DEFAULTS =
      new ThrottleSettings(
          1, 16, Duration.ofMillis(100), 64, Duration.ofMillis(500), Duration.ofMillis(500));

  public ThrottleSettings {
    require(maxBlockedSessions >= 1, "maxBlockedSessions must be at least 1");
    require(maxActiveSessions >= 1, "maxActiveSessions must be at least 1");
    require(
        criticalActiveSessions >= maxActiveSessions,
        "criticalActiveSessions ("
            + criticalActiveSessions
            + ") must be >= maxActiveSessions ("
            + maxActiveSessions
            + ")");
    require(
        maxCommitTime != null && maxCommitTime.compareTo(Duration.ZERO) > 0,
        "maxCommitTime must be positive, was " + maxCommitTime);
    require(
        throttledPause != null && !throttledPause.isNegative(),
        "throttledPause must not be negative, was " + throttledPause);
    require(
        fullSpeedBatchTime != null && fullSpeedBatchTime.compareTo(Duration.ZERO) > 0,
        "fullSpeedBatchTime must be positive, was " + fullSpeedBatchTime);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }
}
