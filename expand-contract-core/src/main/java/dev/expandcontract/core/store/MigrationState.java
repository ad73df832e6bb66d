package dev.expandcontract.core.store;

import dev.expandcontract.core.phase.Phase;

/**
 * One migration's persisted state: its phase (with optimistic-lock {@code version}), the backfill
 * checkpoint, and the last verification.
 *
 * @param cursorKey every key up to this one is copied (the backfill's chunks may be further on)
 * @param claimOwner the instance that committed the last batch
 * @param claimUntil until when (epoch millis) that instance's lease on the batch's chunk held
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
