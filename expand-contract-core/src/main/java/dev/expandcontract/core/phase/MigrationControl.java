package dev.expandcontract.core.phase;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.backfill.KeyRange;
import dev.expandcontract.core.drift.SafetyNets;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.sql.Jdbc;
import dev.expandcontract.core.sql.MigrationSql;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PoisonRows.PoisonRow;
import dev.expandcontract.core.store.StateStore;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.core.verify.Verifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import javax.sql.DataSource;

/**
 * The operator's actions and their guards, exactly as the phase table of DESIGN.md. Every action
 * reads the state, checks its guard, and applies the change with optimistic locking: of two
 * instances racing the same action exactly one wins, and the other is told why. The protocol of
 * these guards, the refresh lag and the re-sync is model-checked in {@code
 * src/test/promela/expand_contract.pml} ({@code ProtocolModelTest}).
 */
public final class MigrationControl {

  /** Rows on which read-new and stop-old-writes prove the write paths they switch to. */
  private static final int WRITE_PATH_SAMPLE_ROWS = 100;

  private final OperationObserver observer;
  private final DataSource dataSource;
  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final Verifier verifier;
  private final ExpandContractListener listener;
  private final Duration soakTime;
  private final Duration instanceTimeout;
  private final SafetyNets safetyNets;

  public MigrationControl(
      DataSource dataSource,
      StateStore store,
      Function<String, MigrationSql> migrations,
      Verifier verifier,
      ExpandContractListener listener,
      OperationObserver observer,
      Duration soakTime,
      Duration instanceTimeout,
      SafetyNets safetyNets) {
    this.observer = observer;
    this.dataSource = dataSource;
    this.store = store;
    this.migrations = migrations;
    this.verifier = verifier;
    this.listener = listener;
    this.soakTime = soakTime;
    this.instanceTimeout = instanceTimeout;
    this.safetyNets = safetyNets;
  }

  /**
   * EXPANDED to BACKFILLING: fixes the upper key now, so later inserts cannot extend the work. The
   * safety net, when on, is installed first, so rows written above the key by writers that bypass
   * the application reach new too.
   */
  public MigrationState startBackfill(String id, String actor) {
    String action = "start-backfill";
    MigrationState state = require(id, action, Phase.EXPANDED);
    MigrationSql sql = sql(id);
    safetyNets.beforeBackfill(id);
    Map<String, Object> changes = new HashMap<>();
    try (Connection connection = dataSource.getConnection()) {
      Object upper = KeyRange.end(connection, sql, sql.maxOldKey());
      changes.put("upper_key", sql.keyType().format(upper));
      changes.put(
          "rows_total",
          sql.dialect()
              .estimateRows(
                  connection,
                  sql.dialect().quote(sql.schema().oldTable()),
                  sql.schema().oldTable()));
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot start the backfill of " + id + ": " + e.getMessage(), e);
    }
    changes.putAll(freshBackfill(store.clock().millis()));
    return apply(state, action, Phase.BACKFILLING, 0, changes, actor, "backfill started");
  }

  public MigrationState pause(String id, String actor) {
    MigrationState state = load(id);
    if (!state.backfillRunning()) {
      throw refuse(id, "pause", "nothing to pause: phase " + describe(state));
    }
    MigrationState paused =
        apply(
            state,
            "pause",
            state.phase(),
            state.readPercent(),
            Map.of("paused", 1),
            actor,
            "paused by operator");
    listener.backfillPaused(id, "paused by " + actor);
    return paused;
  }

  public MigrationState resume(String id, String actor) {
    MigrationState state = load(id);
    if (!state.paused()) {
      throw refuse(id, "resume", "not paused: phase " + describe(state));
    }
    Map<String, Object> changes = new HashMap<>();
    changes.put("paused", 0);
    changes.put("last_error", null);
    return apply(
        state, "resume", state.phase(), state.readPercent(), changes, actor, "resumed by operator");
  }

  /**
   * Runs a full verification. From BACKFILLED, 0 mismatches moves to VERIFIED and any mismatch
   * refuses; in later phases it reports drift (e.g. from writers bypassing the application).
   */
  public VerificationReport verify(String id, String actor) {
    return observer.observe(
        OperationObserver.Operation.VERIFY, id, () -> verifyObserved(id, actor));
  }

  private VerificationReport verifyObserved(String id, String actor) {
    MigrationState state = requireCompleteNewSchema(id, "verify", "verification");
    List<PoisonRow> poison = store.poison().all(id);
    if (!poison.isEmpty()) {
      // Their transform fails, so new cannot equal transform(old) there: no VERIFIED before they
      // copied.
      throw refuse(
          id,
          "verify",
          poison.size()
              + " row(s) set aside by the backfill because their transform fails, e.g. key "
              + poison.get(0).key()
              + ": "
              + poison.get(0).error()
              + "; fix their data, then retry-poison");
    }
    VerificationReport report = verifier.verify(sql(id));
    store.recordVerification(id, report.mismatches(), String.join(", ", report.sampleKeys()));
    listener.verified(report);
    if (state.phase() == Phase.BACKFILLED) {
      if (report.mismatches() > 0) {
        throw refuse(id, "verify", "verification found " + report.summary());
      }
      apply(state, "verify", Phase.VERIFIED, 0, Map.of(), actor, report.summary());
    }
    return report;
  }

  /**
   * Copies again each row the backfill set aside (after the operator fixed its data), each in its
   * own transaction; rows that copy leave the poison table, the others keep their new error.
   *
   * @return the rows still set aside
   */
  public List<PoisonRow> retryPoison(String id, String actor) {
    MigrationState state = load(id);
    if (state.phase().compareTo(Phase.BACKFILLED) > 0 && !state.resyncOld()) {
      throw refuse(id, "retry-poison", "nothing to retry after " + describe(state));
    }
    MigrationSql sql = sql(id);
    for (PoisonRow row : store.poison().all(id)) {
      Object key = sql.keyType().parse(row.key());
      try {
        Jdbc.inTransaction(
            dataSource,
            connection -> {
              copyKey(connection, sql, key);
              store.poison().remove(connection, id, row.key());
              return null;
            });
      } catch (SQLException e) {
        try (Connection connection = dataSource.getConnection()) {
          store.poison().record(connection, id, row.key(), e.getMessage());
        } catch (SQLException again) {
          throw new IllegalStateException("cannot retry the poison rows of " + id, again);
        }
      }
    }
    return store.poison().all(id);
  }

  /**
   * Re-copies every key the verifier finds mismatching (drift from writers that bypass the
   * application, including rows above the backfill's upper key that never reached new), each in its
   * own transaction, then verifies again. The history records how many keys were re-copied; the
   * phase does not move (verify does that).
   */
  public RepairReport repair(String id, String actor) {
    MigrationState state = requireCompleteNewSchema(id, "repair", "repair");
    MigrationSql sql = sql(id);
    List<Object> mismatched = new ArrayList<>();
    verifier.verify(sql, mismatched::add);
    for (Object key : mismatched) {
      try {
        Jdbc.inTransaction(
            dataSource,
            connection -> {
              copyKey(connection, sql, key);
              return null;
            });
      } catch (SQLException e) {
        throw new IllegalStateException(
            "repair of '" + id + "' could not copy key " + key + ": " + e.getMessage(), e);
      }
    }
    VerificationReport after = verifier.verify(sql);
    store.recordVerification(id, after.mismatches(), String.join(", ", after.sampleKeys()));
    RepairReport report = new RepairReport(id, mismatched.size(), after);
    listener.repaired(report);
    listener.verified(after);
    apply(state, "repair", state.phase(), state.readPercent(), Map.of(), actor, report.summary());
    return report;
  }

  /** Copies one key old to new on {@code connection}, waiting for its row lock at most briefly. */
  private static void copyKey(Connection connection, MigrationSql sql, Object key)
      throws SQLException {
    BackfillSettings settings = sql.migration().backfill();
    for (String statement : sql.dialect().lockTimeout(settings.lockTimeout())) {
      Jdbc.update(connection, statement);
    }
    try (PreparedStatement copy = connection.prepareStatement(sql.copyKey())) {
      sql.keyType().bind(copy, 1, key);
      copy.executeUpdate();
    } finally {
      for (String statement : sql.dialect().resetLockTimeout()) {
        Jdbc.update(connection, statement);
      }
    }
  }

  /** Sets the share of keys read from the new schema (sticky per key). */
  public MigrationState readNew(String id, int percent, String actor) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be between 0 and 100, was " + percent);
    }
    MigrationState state = require(id, "read-new", Phase.VERIFIED, Phase.READ_NEW);
    if (state.resyncOld() && percent < 100) {
      throw refuse(
          id,
          "read-new",
          "the old schema is still being re-synced after a rollback (cursor "
              + state.cursorKey()
              + " of "
              + state.upperKey()
              + "); reads stay at 100% until then");
    }
    if (state.phase() == Phase.READ_NEW && state.readPercent() == percent) {
      return state; // already there: a repeated request records no transition
    }
    if (percent > 0) {
      writePathProblem(id, MigratedRows::oldFormReadProblem)
          .ifPresent(
              problem -> {
                throw refuse(id, "read-new", "reads from new could not be saved back: " + problem);
              });
    }
    Map<String, Object> changes = new HashMap<>();
    boolean full = percent == 100;
    Long fullSince = state.readPercent() == 100 && full ? state.readNewFullAt() : null;
    changes.put("read_new_full_at", full ? (fullSince != null ? fullSince : now()) : null);
    return apply(
        state,
        "read-new",
        Phase.READ_NEW,
        percent,
        changes,
        actor,
        "reads from new: " + percent + "%");
  }

  /** READ_NEW at 100% to NEW_ONLY, once every live instance reads new and the soak time passed. */
  public MigrationState stopOldWrites(String id, String actor) {
    String action = "stop-old-writes";
    MigrationState state = require(id, action, Phase.READ_NEW);
    if (state.readPercent() != 100 || state.resyncOld()) {
      throw refuse(
          id,
          action,
          "reads must come 100% from new first (now "
              + state.readPercent()
              + "%"
              + (state.resyncOld() ? ", old schema being re-synced" : "")
              + ")");
    }
    Duration soaked = Duration.ofMillis(now() - state.readNewFullAt());
    if (soaked.compareTo(soakTime) < 0) {
      throw refuse(
          id,
          action,
          "reads have been 100% new for "
              + soaked.toSeconds()
              + "s; soak time is "
              + soakTime.toSeconds()
              + "s");
    }
    writePathProblem(id, MigratedRows::newOnlyWriteProblem)
        .ifPresent(
            problem -> {
              throw refuse(
                  id,
                  action,
                  "new-only writes could not produce the new schema's values: " + problem);
            });
    requireFleet(state, action, i -> i.readPercentApplied() == 100, "read 100% from new");
    safetyNets.beforeOldWritesStop(id);
    return apply(
        state, action, Phase.NEW_ONLY, 100, Map.of(), actor, "writes to the old schema stopped");
  }

  /** One of {@link MigratedRows}' proofs of a write path, on a sample of rows. */
  private interface WritePathProof {
    Optional<String> problem(MigratedRows rows, Connection connection, int sampleRows)
        throws SQLException;
  }

  /**
   * Runs a proof in one read-only REPEATABLE READ transaction: its reads of the sample and their
   * comparisons see one snapshot, so a dual write committing between them is not a mismatch.
   */
  private Optional<String> writePathProblem(String id, WritePathProof proof) {
    try (Connection connection = dataSource.getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      int isolation = connection.getTransactionIsolation();
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        return proof.problem(
            new MigratedRows(migrations.apply(id), listener, observer),
            connection,
            WRITE_PATH_SAMPLE_ROWS);
      } finally {
        connection.rollback();
        connection.setTransactionIsolation(isolation);
        connection.setAutoCommit(autoCommit);
      }
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot check the write path of '" + id + "': " + e.getMessage(), e);
    }
  }

  /**
   * NEW_ONLY to CONTRACTED, through CONTRACTING: once every live instance has seen NEW_ONLY and
   * stopped writing old, the state moves to CONTRACTING before the first DDL statement, so a
   * rollback can no longer race the DDL; then the contract DDL runs and the phase becomes
   * CONTRACTED. A DDL that fails leaves CONTRACTING with the error recorded, and {@code contract}
   * again resumes it.
   */
  public MigrationState contract(String id, String actor, Runnable contractDdl) {
    return observer.observe(
        OperationObserver.Operation.CONTRACT, id, () -> contractObserved(id, actor, contractDdl));
  }

  private MigrationState contractObserved(String id, String actor, Runnable contractDdl) {
    String action = "contract";
    MigrationState state = require(id, action, Phase.NEW_ONLY, Phase.CONTRACTING);
    // Gone since stop-old-writes, unless a step failed: no trigger may outlive the DDL.
    safetyNets.beforeOldWritesStop(id);
    if (state.phase() == Phase.NEW_ONLY) {
      requireFleet(state, action, i -> !i.writesOldApplied(), "stop writing the old schema");
      state =
          apply(
              state,
              action,
              Phase.CONTRACTING,
              100,
              Map.of(),
              actor,
              "contract DDL starting: rollback is no longer possible");
    }
    try {
      contractDdl.run();
    } catch (RuntimeException e) {
      store.recordError(
          id,
          "contract stopped halfway: "
              + e.getMessage()
              + "; the old schema may be partly gone; run contract again to resume");
      throw e;
    }
    return apply(
        state,
        action,
        Phase.CONTRACTED,
        100,
        Collections.singletonMap("last_error", null),
        actor,
        "contract DDL applied");
  }

  /**
   * Back to reads from old. Before NEW_ONLY this loses nothing (writes went to both). From NEW_ONLY
   * it needs a reverse transform: reads stay at 100% new while the old schema is re-synced, then
   * may ramp down. CONTRACTED is final.
   */
  public MigrationState rollback(String id, String actor) {
    MigrationState state = load(id);
    return switch (state.phase()) {
      case CONTRACTED ->
          throw refuse(id, "rollback", "CONTRACTED is final: the old schema was dropped");
      case CONTRACTING ->
          throw refuse(
              id,
              "rollback",
              "the contract DDL has begun, so the old schema may be partly gone; run contract"
                  + " again to finish it");
      case NEW_ONLY -> rollbackNewOnly(state, actor);
      case EXPANDED -> state; // reads come from old already: nothing to roll back, nothing recorded
      default -> {
        if (state.resyncOld()) {
          throw refuse(
              id,
              "rollback",
              "the old schema is still being re-synced (cursor "
                  + state.cursorKey()
                  + "); reading it now would return stale rows");
        }
        Map<String, Object> changes = freshBackfill(null);
        changes.put("upper_key", null);
        changes.put("read_new_full_at", null);
        yield apply(
            state,
            "rollback",
            Phase.EXPANDED,
            0,
            changes,
            actor,
            "rolled back from " + state.phase() + ": reads from old");
      }
    };
  }

  private MigrationState rollbackNewOnly(MigrationState state, String actor) {
    MigrationSql sql = sql(state.id());
    if (sql.migration().kind() != MigrationKind.COLUMN || !sql.migration().hasReverseTransform()) {
      throw refuse(
          state.id(),
          "rollback",
          "writes to the old schema stopped; rolling back needs a reverse transform on every"
              + " column of a column migration to re-sync the old schema first, and '"
              + state.id()
              + "' has none");
    }
    // No upper key yet: instances that have not adopted this state still insert rows by new only.
    // The re-sync fixes its range once every live instance writes old again (BackfillEngine).
    Map<String, Object> changes = freshBackfill(null);
    changes.put("resync_old", 1);
    changes.put("upper_key", null);
    return apply(
        state,
        "rollback",
        Phase.READ_NEW,
        100,
        changes,
        actor,
        "rolled back from NEW_ONLY: writes go to both again; re-syncing the old schema");
  }

  private Map<String, Object> freshBackfill(Long startedAt) {
    Map<String, Object> changes = new HashMap<>();
    changes.put("cursor_key", null);
    changes.put("rows_done", 0);
    changes.put("paused", 0);
    changes.put("last_error", null);
    changes.put("claim_owner", null);
    changes.put("claim_until", null);
    changes.put("backfill_started_at", startedAt);
    changes.put("backfill_finished_at", null);
    return changes;
  }

  /**
   * Refuses unless every live instance reports it has seen this state (its version or a later one)
   * and applies what {@code ready} asks: an instance that reports the right routing for an older
   * state may have missed a transition in between (e.g. a rollback).
   */
  private void requireFleet(
      MigrationState state, String action, Predicate<InstanceView> ready, String what) {
    List<String> lagging =
        store.laggingInstances(state, instanceTimeout, ready).stream()
            .map(InstanceView::describe)
            .toList();
    if (!lagging.isEmpty()) {
      throw refuse(
          state.id(),
          action,
          "not every live instance has yet acknowledged version "
              + state.version()
              + " to "
              + what
              + ": "
              + lagging);
    }
  }

  private MigrationState apply(
      MigrationState state,
      String action,
      Phase to,
      int percent,
      Map<String, Object> changes,
      String actor,
      String reason) {
    if (!store.transition(state, to, percent, changes, actor, action + ": " + reason)) {
      MigrationState now = load(state.id());
      throw refuse(
          state.id(),
          action,
          "the state changed concurrently (now "
              + describe(now)
              + ", version "
              + now.version()
              + "); re-read and retry");
    }
    store.transitions(state.id(), 1).forEach(listener::phaseChanged);
    return load(state.id());
  }

  /** The state, if new is complete (BACKFILLED, VERIFIED or READ_NEW, not re-syncing old). */
  private MigrationState requireCompleteNewSchema(String id, String action, String what) {
    MigrationState state = load(id);
    List<Phase> allowed = List.of(Phase.BACKFILLED, Phase.VERIFIED, Phase.READ_NEW);
    if (!allowed.contains(state.phase()) || state.resyncOld()) {
      throw refuse(
          id,
          action,
          what
              + " needs a complete new schema (BACKFILLED, VERIFIED or READ_NEW); phase is "
              + describe(state));
    }
    return state;
  }

  private MigrationState require(String id, String action, Phase... allowed) {
    MigrationState state = load(id);
    if (!List.of(allowed).contains(state.phase())) {
      throw refuse(
          id,
          action,
          action + " is allowed in " + List.of(allowed) + "; phase is " + describe(state));
    }
    return state;
  }

  private TransitionRefusedException refuse(String id, String action, String reason) {
    listener.transitionRefused(id, action, reason);
    return new TransitionRefusedException(id, action, reason);
  }

  private MigrationState load(String id) {
    sql(id);
    return store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
  }

  private MigrationSql sql(String id) {
    return migrations.apply(id);
  }

  private long now() {
    return store.clock().millis();
  }

  private static String describe(MigrationState state) {
    return state.phase()
        + (state.phase() == Phase.READ_NEW ? " " + state.readPercent() + "%" : "")
        + (state.paused() ? " (paused)" : "");
  }
}
