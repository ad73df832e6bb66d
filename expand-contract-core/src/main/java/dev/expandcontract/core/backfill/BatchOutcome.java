package dev.expandcontract.core.backfill;

/** What one call of {@link BackfillEngine#runBatch(String)} did. */
public enum BatchOutcome {
  /** A batch committed; more remain. */
  COPIED,
  /** The last batch committed and the backfill (or re-sync) is complete. */
  FINISHED,
  /** Nothing to do: not backfilling, or paused. */
  IDLE,
  /** Every unfinished chunk is leased by another worker (of this or another instance). */
  CLAIMED_ELSEWHERE,
  /** A re-sync waits until every live instance acts on the rollback. */
  WAITING_FOR_FLEET,
  /** Every live instance acts on the rollback: the re-sync's range is fixed, its batches follow. */
  RESYNC_RANGE_FIXED,
  /**
   * The database could not be reached (or ended the session) through every retry; nothing was
   * recorded, and the next call tries again, without an operator.
   */
  DATABASE_UNAVAILABLE,
  /** Retries ran out; the backfill paused with the error recorded. */
  PAUSED,
  /**
   * The database is at the throttle's critical level: no batch ran, and the next call reads its
   * health again.
   */
  THROTTLED;

  /**
   * True when the next call should follow after {@link BackfillEngine#pauseBeforeNextBatch}, not
   * after an idle poll.
   */
  public boolean moreWorkNow() {
    return this == COPIED || this == RESYNC_RANGE_FIXED || this == THROTTLED;
  }
}
