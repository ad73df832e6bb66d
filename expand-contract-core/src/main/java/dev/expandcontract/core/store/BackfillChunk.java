package dev.expandcontract.core.store;

/**
 * One leased slice {@code (lowerKey, upperKey]} of a backfill's key range, with its own checkpoint.
 * Keys are stored as text and parsed by the migration's key type.
 *
 * @param lowerKey exclusive lower bound; null for the first chunk
 * @param upperKey inclusive upper bound; null only when the table was empty when the run started
 * @param cursorKey the last key copied in this chunk; null before its first batch
 * @param owner the instance whose worker holds the lease; null when never claimed
 * @param leaseUntil epoch millis until which the lease holds unless renewed
 */
public record BackfillChunk(
    String migrationId,
    int chunkNo,
    String lowerKey,
    String upperKey,
    String cursorKey,
    boolean done,
    long rowsDone,
    String owner,
    Integer worker,
    Long leaseUntil) {

  /** Where the next batch of this chunk starts (exclusive); null from the very first key. */
  public String resumeAfter() {
    return cursorKey != null ? cursorKey : lowerKey;
  }
}
