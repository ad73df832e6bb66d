package dev.expandcontract.core.backfill;

import dev.expandcontract.core.store.BackfillChunk;
import java.util.List;

/**
 * How far the chunks of a backfill run are.
 *
 * @param total chunks of the run; 0 before the first worker cut them
 * @param leased unfinished chunks whose lease holds now
 * @param waitingFor null, or why no worker can go on: the leases it waits for and until when, or
 *     the instances a re-sync waits for
 */
public record ChunkProgress(int total, int done, List<BackfillChunk> leased, String waitingFor) {

  public static final ChunkProgress NONE = new ChunkProgress(0, 0, List.of(), null);

  /** This progress, waiting for {@code reason} instead when there is one. */
  public ChunkProgress waitingFor(String reason) {
    return reason == null ? this : new ChunkProgress(total, done, leased, reason);
  }
}
