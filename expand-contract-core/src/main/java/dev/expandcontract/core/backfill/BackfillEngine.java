package dev.expandcontract.core.backfill;

import dev.expandcontract.core.Backoff;
import dev.expandcontract.core.event.BatchCompleted;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.Jdbc;
import dev.expandcontract.core.sql.MigrationSql;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.StateStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * Copies old rows to the new schema in keyset batches. Each batch is one transaction holding one
 * set-based statement and the checkpoint, so a crash loses at most the batch in flight, which is
 * redone idempotently. The upper key is fixed when the backfill starts: rows inserted later are
 * dual-written, so the backfill never chases a growing tail.
 */
public final class BackfillEngine {

  /** How long a claim lasts without a batch renewing it; a dead instance's claim then expires. */
  static final Duration CLAIM_LEASE = Duration.ofSeconds(60);

  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

  private final DataSource dataSource;
  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final ExpandContractListener listener;
  private final String instanceId;
  private final Duration instanceTimeout;

  public BackfillEngine(
      DataSource dataSource,
      StateStore store,
      Map<String, MigrationSql> migrations,
      ExpandContractListener listener,
      String instanceId,
      Duration instanceTimeout) {
    this.dataSource = dataSource;
    this.store = store;
    this.migrations =
        id -> {
          MigrationSql sql = migrations.get(id);
          if (sql == null) {
            throw new IllegalArgumentException("unknown migration '" + id + "'");
          }
          return sql;
        };
    this.listener = listener;
    this.instanceId = instanceId;
    this.instanceTimeout = instanceTimeout;
  }

  /**
   * Runs at most one batch of the migration, retrying it with jittered back-off; after the
   * configured number of failed attempts the backfill pauses with the error recorded.
   */
  public BatchOutcome runBatch(String id) throws InterruptedException {
    MigrationSql sql = migrations.apply(id);
    MigrationState state = store.load(id).orElse(null);
    if (state == null || !state.backfillRunning()) {
      return BatchOutcome.IDLE;
    }
    boolean reverse = state.resyncOld();
    if (reverse && !fleetLeftNewOnly(id)) {
      return BatchOutcome.WAITING_FOR_FLEET;
    }
    if (!store.claim(id, instanceId, CLAIM_LEASE.toMillis())) {
      return BatchOutcome.CLAIMED_ELSEWHERE;
    }
    BackfillSettings settings = sql.migration().backfill();
    SQLException lastError = null;
    for (int attempt = 1; attempt <= settings.maxRetries() + 1; attempt++) {
      try {
        Batch batch = copyOneBatch(sql, state, reverse);
        if (batch == null) {
          return BatchOutcome.IDLE; // paused, rolled back or claim lost meanwhile
        }
        listener.batchCompleted(
            new BatchCompleted(
                id,
                reverse,
                batch.range.rows(),
                batch.took,
                state.batchSize(),
                batch.nextSize,
                sql.keyType().format(batch.range.upper()),
                attempt));
        if (batch.range.last()) {
          finish(id, reverse);
          return BatchOutcome.FINISHED;
        }
        return BatchOutcome.COPIED;
      } catch (SQLException e) {
        lastError = e;
        listener.batchFailed(id, attempt, e);
        if (attempt <= settings.maxRetries()) {
          Thread.sleep(Backoff.delay(settings.retryBackoff(), attempt, MAX_BACKOFF).toMillis());
        }
      }
    }
    pauseAfterFailures(id, settings.maxRetries() + 1, lastError);
    return BatchOutcome.PAUSED;
  }

  private Batch copyOneBatch(MigrationSql sql, MigrationState state, boolean reverse)
      throws SQLException {
    BackfillSettings settings = sql.migration().backfill();
    Object lower = state.cursorKey() == null ? null : sql.keyType().parse(state.cursorKey());
    Object end = state.upperKey() == null ? null : sql.keyType().parse(state.upperKey());
    return Jdbc.inTransaction(
        dataSource,
        connection -> {
          try {
            execute(connection, sql.dialect().lockTimeout(settings.lockTimeout()));
            long started = System.nanoTime();
            KeyRange range =
                end == null
                    ? new KeyRange(null, null, 0, true)
                    : KeyRange.next(connection, sql, lower, end, state.batchSize());
            if (end != null) {
              copy(connection, sql, range, reverse, settings);
            }
            Duration took = Duration.ofNanos(System.nanoTime() - started);
            int nextSize = BatchSizer.next(settings, state.batchSize(), took);
            boolean kept =
                store.checkpoint(
                    connection,
                    state.id(),
                    instanceId,
                    reverse,
                    sql.keyType().format(range.upper()),
                    range.rows(),
                    nextSize);
            if (!kept) {
              connection.rollback();
              return null;
            }
            return new Batch(range, took, nextSize);
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
      BackfillSettings settings)
      throws SQLException {
    String statementSql =
        reverse ? sql.reverseCopyRange(range.hasLower()) : sql.copyRange(range.hasLower());
    try (PreparedStatement statement = connection.prepareStatement(statementSql)) {
      statement.setQueryTimeout(Math.max(1, (int) settings.statementTimeout().toSeconds()));
      range.bind(statement, sql.keyType());
      statement.executeUpdate();
    }
  }

  private void finish(String id, boolean reverse) {
    MigrationState state = store.load(id).orElseThrow();
    Map<String, Object> changes =
        reverse ? Map.of("resync_old", 0) : Map.of("backfill_finished_at", store.clock().millis());
    Phase to = reverse ? state.phase() : Phase.BACKFILLED;
    String reason =
        reverse
            ? "old schema re-synced from new up to key " + state.upperKey()
            : "backfill cursor reached the upper key " + state.upperKey();
    if (store.transition(
        state, to, state.readPercent(), claimReleased(changes), "backfill", reason)) {
      store.transitions(id, 1).forEach(listener::phaseChanged);
    }
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

  /** A re-sync may start only once no live instance still writes the new schema alone. */
  private boolean fleetLeftNewOnly(String id) {
    Instant since = store.clock().instant().minus(instanceTimeout);
    return store.liveInstances(id, since).stream()
        .noneMatch(instance -> instance.phaseSeen() == Phase.NEW_ONLY);
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

  private record Batch(KeyRange range, Duration took, int nextSize) {}
}
