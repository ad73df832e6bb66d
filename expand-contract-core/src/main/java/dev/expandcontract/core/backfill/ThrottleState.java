package dev.expandcontract.core.backfill;

import java.time.Duration;
import java.time.Instant;

/**
 * How this instance paces a migration's backfill now, decided from the database's health after each
 * batch.
 *
 * @param pause the pause before the next batch
 * @param since when the level was entered
 */
public record ThrottleState(Level level, String reason, Duration pause, Instant since) {

  /** Nothing decided yet: no batch has run on this instance. */
  public static final ThrottleState NONE =
      new ThrottleState(Level.NONE, "no batch ran on this instance yet", Duration.ZERO, null);

  public enum Level {
    /** No batch ran here yet. */
    NONE,
    /** Nothing else runs on the database: batches follow each other without a pause. */
    FULL_SPEED,
    /** The service is active on the database: batches pause {@code pause-between-batches}. */
    YIELDING,
    /** A health threshold is crossed: smaller batches or a longer pause, as the reason says. */
    THROTTLED,
    /** The critical level is crossed: no batch runs until the database is below it. */
    CRITICAL
  }
}
