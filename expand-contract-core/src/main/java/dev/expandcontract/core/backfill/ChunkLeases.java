package dev.expandcontract.core.backfill;

import dev.expandcontract.core.internal.backfill.KeyRange;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.ChunkStore;
import dev.expandcontract.core.sql.KeyType;
import dev.expandcontract.core.store.BackfillChunk;
import dev.expandcontract.core.store.MigrationState;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which chunk of a backfill each worker of this instance copies. A worker keeps the chunk it holds
 * until the chunk is done, else leases a free one; the first worker of a run cuts the run's key
 * range (fixed at its upper key) into chunks of {@code chunkRows} rows.
 */
public final class ChunkLeases {

  private final ChunkStore store;
  private final Clock clock;
  private final String instanceId;
  private final int workers;
  private final Duration lease;
  private final int chunkRows;

  public ChunkLeases(
      ChunkStore store,
      Clock clock,
      String instanceId,
      int workers,
      Duration lease,
      int chunkRows) {
    if (workers < 1 || chunkRows < 1 || lease.isNegative() || lease.isZero()) {
      throw new IllegalArgumentException(
          "backfill workers and chunk rows must be at least 1 and the lease positive, were "
              + workers
              + ", "
              + chunkRows
              + ", "
              + lease);
    }
    this.store = store;
    this.clock = clock;
    this.instanceId = instanceId;
    this.workers = workers;
    this.lease = lease;
    this.chunkRows = chunkRows;
  }

  /** Workers per instance and migration. */
  public int workers() {
    return workers;
  }

  long leaseUntil() {
    return clock.millis() + lease.toMillis();
  }

  Duration lease() {
    return lease;
  }

  /** The chunk this worker copies next; empty when every unfinished chunk is leased or done. */
  Optional<BackfillChunk> acquire(MigrationSql sql, MigrationState state, int worker) {
    String id = state.id();
    Optional<BackfillChunk> chunk = store.held(id, instanceId, worker);
    if (chunk.isEmpty()) {
      chunk = store.claim(id, instanceId, worker, workers, lease.toMillis());
    }
    if (chunk.isEmpty()
        && store.all(id).isEmpty()
        && store.cutIfAbsent(id, state.version(), connection -> cut(connection, sql, state))) {
      chunk = store.claim(id, instanceId, worker, workers, lease.toMillis());
    }
    return chunk;
  }

  /** Renews every lease this instance holds; called with its heartbeat. */
  public void renew() {
    store.renew(instanceId, lease.toMillis());
  }

  /** The chunks of a migration's run, for status. */
  public ChunkProgress progress(String id, boolean running) {
    List<BackfillChunk> all = store.all(id);
    long now = clock.millis();
    List<BackfillChunk> leased = new ArrayList<>();
    int done = 0;
    boolean free = false;
    for (BackfillChunk chunk : all) {
      if (chunk.done()) {
        done++;
      } else if (chunk.owner() != null && chunk.leaseUntil() >= now) {
        leased.add(chunk);
      } else {
        free = true;
      }
    }
    String waiting = null;
    if (running && !free && !leased.isEmpty()) {
      BackfillChunk next =
          leased.stream().min((a, b) -> Long.compare(a.leaseUntil(), b.leaseUntil())).orElseThrow();
      waiting =
          "every unfinished chunk is leased ("
              + leased.size()
              + "); the next lease to run out is chunk "
              + next.chunkNo()
              + " (keys after "
              + next.resumeAfter()
              + " up to "
              + next.upperKey()
              + ") of "
              + next.owner()
              + " worker "
              + next.worker()
              + ", at "
              + Instant.ofEpochMilli(next.leaseUntil())
              + " unless its owner's heartbeat renews it";
    }
    return new ChunkProgress(all.size(), done, leased, waiting);
  }

  private List<String> cut(Connection connection, MigrationSql sql, MigrationState state)
      throws SQLException {
    List<String> uppers = new ArrayList<>();
    KeyType keyType = sql.keyType();
    if (state.upperKey() == null) {
      uppers.add(null); // an empty table: one empty chunk, so the run still ends by a batch
      return uppers;
    }
    Object end = keyType.parse(state.upperKey());
    Object lower = null;
    boolean last = false;
    while (!last) {
      KeyRange range = KeyRange.next(connection, sql, lower, end, chunkRows);
      uppers.add(keyType.format(range.upper()));
      lower = range.upper();
      last = range.last();
    }
    return uppers;
  }
}
