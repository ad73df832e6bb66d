package dev.expandcontract.core.store;

import dev.expandcontract.core.phase.Phase;

/**
 * One migration's persisted state: its phase (with optimistic-lock {@code version}), the backfill
 * checkpoint and claim, and the last verification.
 *
 * @param resyncOld true while a rollback from NEW_ONLY re-syncs the old schema from the new one
 * @param readNewFullAt when reads reached 100 % (epoch millis), for the soak time before NEW_ONLY
 */
public record MigrationState(
    String id,
    Phase phase,
    int readPercent,
    long version,
    long updatedAt,
    boolean paused,
    boolean resyncOld,
    String cursorKey,
    String upperKey,
    long rowsDone,
    long rowsTotal,
    int batchSize,
    Long backfillStartedAt,
    Long backfillFinishedAt,
    String lastError,
    String claimOwner,
    Long claimUntil,
    Long readNewFullAt,
    Long verifyMismatches,
    String verifySample,
    Long verifiedAt) {

  /** True while batches should run: a forward backfill or a reverse re-sync, not paused. */
  public boolean backfillRunning() {
    return !paused && (phase == Phase.BACKFILLING || resyncOld);
  }
}
