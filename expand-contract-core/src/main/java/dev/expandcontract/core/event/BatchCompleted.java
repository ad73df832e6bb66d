package dev.expandcontract.core.event;

import java.time.Duration;

/**
 * A backfill batch committed together with its checkpoint.
 *
 * @param reverse true for a re-sync of the old schema after a rollback from NEW_ONLY
 * @param rows rows of the old table in the batch's key range
 * @param nextBatchSize the adapted size of the next batch
 */
public record BatchCompleted(
    String migrationId,
    boolean reverse,
    long rows,
    Duration duration,
    int batchSize,
    int nextBatchSize,
    String cursor,
    int attempts) {}
