package dev.expandcontract.core.backfill;

import dev.expandcontract.core.backfill.Throttle.Health;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.internal.Backoff;
import dev.expandcontract.core.internal.backfill.KeyRange;
import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.BackfillChunk;
import dev.expandcontract.core.store.MigrationState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Copies old rows to the new schema in keyset batches. Each batch is one transaction holding one
 * set-based statement and the checkpoint, so a crash loses at most the batch in flight, which is
 * redone idempotently. The upper key is fixed when the backfill starts: rows inserted later are
 * dual-written, so the backfill never chases a growing tail. The key range is cut into leased
 * chunks ({@link ChunkLeases}), so that every worker of every instance copies a chunk of its own.
 * After each batch a {@link Throttle} reads the database's health and paces the next one.
 */
public final class BackfillEngine {

  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final OperationObserver observer;
  private final DataSource dataSource;
  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final ExpandContractListener listener;
  private final String instanceId;
  private final ChunkLeases leases;
  private final BackfillPacing pacing;
  private final ResyncRange resync;

  public BackfillEngine(
      DataSource dataSource,
      StateStore store,
      ChunkLeases leases,
      Function<String, MigrationSql> migrations,
      ExpandContractListener listener,
      OperationObserver observer,
      String instanceId,
      Duration instanceTimeout) {
    this.observer = observer;
    this.dataSource = dataSource;
    this.store = store;
    this.migrations = migrations;
    this.listener = listener;
    this.instanceId = instanceId;
    this.leases = leases;
    this.pacing = new BackfillPacing(dataSource, store, migrations, listener);
    this.resync = new ResyncRange(dataSource, store, listener, instanceTimeout);
  }

  /** Runs at most one batch as this instance's first worker; see {@link #runBatch(String, int)}. */
  public BatchOutcome runBatch(String id) throws InterruptedException {
    return runBatch(id, 0);
  }

  /**
   * Runs at most one batch of the migration in the chunk this worker holds or leases now, retrying
   * it with jittered back-off; after the configured number of failed attempts the backfill pauses
   * with the error recorded.
   *
   * @param worker this instance's worker number, from 0 to {@link ChunkLeases#workers()} - 1
   */
  public BatchOutcome runBatch(String id, int worker) throws InterruptedException {
    MigrationSql sql = migrations.apply(id);
    try {
      return runBatch(sql, id, worker);
    } catch (IllegalStateException e) {
      // The state store could not reach the database: nothing was recorded, so nothing needs an
      // operator; the next call tries again.
      if (e.getCause() instanceof SQLException cause && sql.dialect().isConnectionFailure(cause)) {
        listener.databaseUnavailable(id, cause);
        return BatchOutcome.DATABASE_UNAVAILABLE;
      }
      throw e;
    }
  }

  private BatchOutcome runBatch(MigrationSql sql, String id, int worker)
      throws InterruptedException {
    MigrationState state = store.load(id).orElse(null);
    if (state == null || !state.backfillRunning()) {
      return BatchOutcome.IDLE;
    }
    Throttle throttle = pacing.throttle(id);
    if (throttle.critical() && pacing.stillCritical(sql, throttle)) {
      return BatchOutcome.THROTTLED;
    }
    boolean reverse = state.resyncOld();
    if (reverse && state.backfillStartedAt() == null) {
      // The rollback from NEW_ONLY left the range open: fixed now, not before every instance
      // writes old again, so that it covers every row an instance inserted by new only.
      return resync.fix(sql, state)
          ? BatchOutcome.RESYNC_RANGE_FIXED
          : BatchOutcome.WAITING_FOR_FLEET;
    }
    BackfillChunk chunk = leases.acquire(sql, state, worker).orElse(null);
    if (chunk == null) {
      ChunkProgress chunks = leases.progress(id, true);
      if (chunks.waitingFor() != null) {
        listener.backfillWaiting(id, chunks.waitingFor());
        return BatchOutcome.CLAIMED_ELSEWHERE;
      }
      if (chunks.done() < chunks.total()) {
        // Free chunks, all being claimed by other workers at that moment (locked, so skipped).
        return BatchOutcome.CLAIMED_ELSEWHERE;
      }
      return finish(state, reverse) ? BatchOutcome.FINISHED : BatchOutcome.IDLE;
    }
    BackfillSettings settings = pacing.settings(sql, state);
    SQLException lastError = null;
    int size =
        Math.max(settings.minBatchSize(), Math.min(settings.maxBatchSize(), state.batchSize()));
    SQLException poison = null;
    pacing.probeHealthOnce(sql.dialect());
    ThrottleState before = throttle.state();
    // With nothing else on the database nobody inserts into the range: the cheaper anti-join copy
    // is worth trying (it fails, and the range is redone as an upsert, if somebody did).
    boolean insertMissing =
        !reverse
            && before.level() == ThrottleState.Level.FULL_SPEED
            && sql.insertMissingRange(false) != null;
    for (int attempt = 1; attempt <= settings.maxRetries() + 1; attempt++) {
      try {
        int rows = size;
        SQLException setAside = poison;
        boolean antiJoin = insertMissing;
        Batch batch =
            observer.observe(
                OperationObserver.Operation.BACKFILL_BATCH,
                id,
                () ->
                    copyOneBatch(
                        sql, settings, throttle, state, chunk, reverse, antiJoin, rows, setAside));
        if (batch == null) {
          return BatchOutcome.IDLE; // paused, rolled back or claim lost meanwhile
        }
        throttle.committed(Duration.ofNanos(System.nanoTime() - batch.checkpointLocked));
        ThrottleState paced = throttle.state();
        if (paced.level() != before.level()) {
          listener.throttleChanged(id, paced);
        }
        if (poison != null) {
          listener.poisonRow(id, sql.keyType().format(batch.range.upper()), poison.getMessage());
        }
        listener.batchCompleted(
            new BatchCompleted(
                id,
                reverse,
                batch.range.rows(),
                batch.took,
                size,
                batch.nextSize,
                sql.keyType().format(batch.range.upper()),
                attempt));
        // The chunk is done; the run is when this was its last chunk.
        return batch.range.last() && finish(state, reverse)
            ? BatchOutcome.FINISHED
            : BatchOutcome.COPIED;
      } catch (SQLException e) {
        if (insertMissing && Jdbc.isDuplicateKey(e)) {
          insertMissing = false; // a dual write inserted a row of the range meanwhile: upsert it
          attempt--;
          continue;
        }
        lastError = e;
        listener.batchFailed(id, attempt, e);
        if (poison == null && sql.dialect().isRowError(e)) {
          // Bisection: halve the range until the failing row is alone, then set it aside. Each
          // step shrinks the range, so these attempts do not count against the retries.
          if (size > 1) {
            size = size / 2;
          } else {
            poison = e;
          }
          attempt--;
          continue;
        }
        if (sql.dialect().isLockTimeout(e)) {
          // A long transaction holds a row of the range: copy the rows before it meanwhile.
          size = Math.max(settings.minBatchSize(), size / 2);
        }
        if (attempt <= settings.maxRetries()) {
          Thread.sleep(Backoff.delay(settings.retryBackoff(), attempt, MAX_BACKOFF).toMillis());
        }
      }
    }
    if (sql.dialect().isConnectionFailure(lastError)) {
      listener.databaseUnavailable(id, lastError);
      return BatchOutcome.DATABASE_UNAVAILABLE; // no pause: it needs no operator once it is back
    }
    pauseAfterFailures(id, settings.maxRetries() + 1, lastError);
    return BatchOutcome.PAUSED;
  }

  private Batch copyOneBatch(
      MigrationSql sql,
      BackfillSettings settings,
      Throttle throttle,
      MigrationState state,
      BackfillChunk chunk,
      boolean reverse,
      boolean insertMissing,
      int size,
      SQLException poison)
      throws SQLException {
    Object lower = chunk.resumeAfter() == null ? null : sql.keyType().parse(chunk.resumeAfter());
    Object end = chunk.upperKey() == null ? null : sql.keyType().parse(chunk.upperKey());
    return Jdbc.inTransaction(
        dataSource,
        connection -> {
          try {
            execute(connection, sql.dialect().lockTimeout(settings.lockTimeout()));
            execute(connection, sql.dialect().markBackfillSession());
            long started = System.nanoTime();
            KeyRange range =
                end == null
                    ? new KeyRange(null, null, 0, true)
                    : KeyRange.next(connection, sql, lower, end, size);
            Health health = null;
            long copied;
            if (end != null && poison == null) {
              copy(connection, sql, range, reverse, insertMissing, settings);
              copied = System.nanoTime();
              health = pacing.readHealth(connection, sql.dialect());
            } else if (end != null) {
              // A range of one row whose copy failed on its data: recorded instead of copied.
              store
                  .poison()
                  .record(
                      connection,
                      state.id(),
                      sql.keyType().format(range.upper()),
                      poison.getMessage());
              copied = System.nanoTime();
            } else {
              copied = System.nanoTime();
            }
            Duration took = Duration.ofNanos(copied - started);
            ThrottleState paced =
                end != null && poison == null
                    ? throttle.afterCopy(health, settings, pacing.noHealthSignals())
                    : throttle.state();
            int nextSize =
                Throttle.cutsNextBatch(health, settings.throttle())
                    ? Math.max(settings.minBatchSize(), size / 2)
                    : BatchSizer.next(
                        settings,
                        Throttle.target(paced, settings),
                        Throttle.maxGrowth(paced),
                        size,
                        took);
            String cursor = range.upper() == null ? null : sql.keyType().format(range.upper());
            boolean kept =
                store.checkpoint(
                    connection,
                    state.id(),
                    instanceId,
                    leases.leaseUntil(),
                    reverse,
                    range.rows(),
                    nextSize);
            // The commit time the throttle judges starts once this worker holds the migration row,
            // which every worker's checkpoint takes in turn: waiting for it is not the database's.
            long checkpointLocked = System.nanoTime();
            kept =
                kept
                    && store
                        .chunks()
                        .checkpoint(
                            connection,
                            chunk,
                            cursor,
                            range.rows(),
                            range.last(),
                            leases.lease().toMillis());
            if (!kept) {
              connection.rollback();
              return null;
            }
            store.moveCursor(connection, state.id(), state.upperKey());
            return new Batch(range, took, nextSize, checkpointLocked);
          } finally {
            execute(connection, sql.dialect().resetLockTimeout());
          }
        });
  }

  private static void copy(
      Connection connection,
      MigrationSql sql,
      KeyRange range,
      boolean reverse,
      boolean insertMissing,
      BackfillSettings settings)
      throws SQLException {
    String statementSql =
        reverse
            ? sql.reverseCopyRange(range.hasLower())
            : insertMissing
                ? sql.insertMissingRange(range.hasLower())
                : sql.copyRange(range.hasLower());
    // Marked, so that another worker's throttle sees which running statement is the backfill's.
    String marked = "/* " + SqlDialect.BACKFILL_MARK + " */ " + statementSql;
    try (PreparedStatement statement = connection.prepareStatement(marked)) {
      statement.setQueryTimeout(Math.max(1, (int) settings.statementTimeout().toSeconds()));
      range.bind(statement, sql.keyType());
      statement.executeUpdate();
    }
  }

  /**
   * Ends the run the caller read, if every chunk of it is done and the run was neither paused nor
   * replaced since (the state's version still holds); false otherwise.
   */
  private boolean finish(MigrationState state, boolean reverse) {
    String id = state.id();
    Map<String, Object> changes =
        reverse ? Map.of("resync_old", 0) : Map.of("backfill_finished_at", store.clock().millis());
    Phase to = reverse ? state.phase() : Phase.BACKFILLED;
    String reason =
        reverse
            ? "old schema re-synced from new up to key " + state.upperKey()
            : "backfill cursor reached the upper key " + state.upperKey();
    if (!store.completeBackfill(
        state, to, state.readPercent(), claimReleased(changes), "backfill", reason)) {
      return false;
    }
    store.transitions(id, 1).forEach(listener::phaseChanged);
    return true;
  }

  private void pauseAfterFailures(String id, int attempts, SQLException error) {
    String reason = "paused after " + attempts + " failed attempts: " + error.getMessage();
    store
        .load(id)
        .filter(MigrationState::backfillRunning)
        .ifPresent(
            state -> {
              if (store.transition(
                  state,
                  state.phase(),
                  state.readPercent(),
                  claimReleased(Map.of("paused", 1, "last_error", truncate(reason))),
                  "backfill",
                  reason)) {
                listener.backfillPaused(id, reason);
              }
            });
  }

  private static Map<String, Object> claimReleased(Map<String, Object> changes) {
    Map<String, Object> all = new LinkedHashMap<>(changes);
    all.put("claim_owner", null);
    all.put("claim_until", null);
    return all;
  }

  /** How long to wait before the next call of {@link #runBatch} that {@code moreWorkNow()}. */
  public Duration pauseBeforeNextBatch(String id) {
    return pacing.pauseBeforeNextBatch(id);
  }

  /**
   * The settings this instance's batches use: the migration's own, with the operator's {@code tune}
   * overrides as of the last state it read.
   */
  public BackfillSettings settings(String id) {
    return pacing.settings(id);
  }

  /** How this instance paces the migration's backfill now, and why. */
  public ThrottleState throttleState(String id) {
    return pacing.throttle(id).state();
  }

  /**
   * What a re-sync whose range is not fixed yet waits for: the live instances that have not yet
   * reported that they write old again; null when it waits for none (or is not such a re-sync).
   */
  public String resyncWaitingFor(MigrationState state) {
    return resync.waitingFor(state);
  }

  private static void execute(Connection connection, Iterable<String> statements)
      throws SQLException {
    for (String sql : statements) {
      try (Statement statement = connection.createStatement()) {
        statement.execute(sql);
      }
    }
  }

  private static String truncate(String text) {
    return text.length() <= 2000 ? text : text.substring(0, 2000);
  }

  private record Batch(KeyRange range, Duration took, int nextSize, long checkpointLocked) {}
}
