package dev.expandcontract.core.backfill;

import dev.expandcontract.core.store.BackfillChunk;
import java.util.List;

/**
 * How far the chunks of a backfill run are.
 *
 * @param total chunks of the run; 0 before the first worker cut them
 * @param leased unfinished chunks whose lease holds now
 * @param waitingFor null, or why no worker can go on: the leases it waits for and until when
 */
public record ChunkProgress(int total, int done, List<BackfillChunk> leased, String waitingFor) {

  public static final ChunkProgress NONE = new ChunkProgress(0, 0, List.of(), null);
}
