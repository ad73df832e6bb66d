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
  /**
   * The database could not be reached (or ended the session) through every retry; nothing was
   * recorded, and the next call tries again, without an operator.
   */
  DATABASE_UNAVAILABLE,
  /** Retries ran out; the backfill paused with the error recorded. */
  PAUSED
}
