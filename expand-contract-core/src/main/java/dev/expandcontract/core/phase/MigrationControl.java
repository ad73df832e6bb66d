package dev.expandcontract.core.phase;

import dev.expandcontract.core.access.WritePathProofs;
import dev.expandcontract.core.drift.SafetyNets;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.internal.backfill.KeyRange;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PoisonRow;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.core.verify.Verifier;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The operator's actions, exactly as the phase table of DESIGN.md. Every action reads the state,
 * checks its guards ({@code ActionGuards}), and applies the change with optimistic locking ({@code
 * GuardedTransitions}): of two instances racing the same action exactly one wins, and the other is
 * told why. The protocol of these guards, the refresh lag and the re-sync is model-checked in
 * {@code src/test/promela/expand_contract.pml} ({@code ProtocolModelTest}).
 */
public final class MigrationControl {

  private final OperationObserver observer;
  private final DataSource dataSource;
  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final ExpandContractListener listener;
  private final SafetyNets safetyNets;
  private final GuardedTransitions transitions;
  private final Verification verification;
  private final Rollback rollback;
  private final Tuning tuning;

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
    this.listener = listener;
    this.safetyNets = safetyNets;
    this.transitions =
        new GuardedTransitions(
            store,
            migrations,
            listener,
            new ActionGuards(
                store, id -> migrations.apply(id).migration(), soakTime, instanceTimeout));
    this.verification =
        new Verification(dataSource, store, migrations, verifier, listener, transitions);
    this.rollback = new Rollback(transitions);
    this.tuning = new Tuning(store, migrations, listener, transitions);
  }

  /**
   * The actions the phase of {@code state} allows, in {@link MigrationAction}'s order, each with
   * the reason a guard would refuse it at this moment, if one would.
   */
  public List<AllowedAction> allowedActions(MigrationState state) {
    return transitions.allowed(state);
  }

  /**
   * EXPANDED to BACKFILLING: fixes the upper key now, so later inserts cannot extend the work. The
   * safety net, when on, is installed first, so rows written above the key by writers that bypass
   * the application reach new too.
   */
  public MigrationState startBackfill(String id, String actor) {
    MigrationAction action = MigrationAction.START_BACKFILL;
    MigrationState state = transitions.require(id, action);
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
    changes.putAll(BackfillColumns.fresh(store.clock().millis()));
    return transitions.apply(
        state, action, Phase.BACKFILLING, 0, changes, actor, "backfill started");
  }

  public MigrationState pause(String id, String actor) {
    MigrationState state = transitions.require(id, MigrationAction.PAUSE);
    MigrationState paused =
        transitions.apply(
            state,
            MigrationAction.PAUSE,
            state.phase(),
            state.readPercent(),
            Map.of("paused", 1),
            actor,
            "paused by operator");
    listener.backfillPaused(id, "paused by " + actor);
    return paused;
  }

  public MigrationState resume(String id, String actor) {
    MigrationState state = transitions.require(id, MigrationAction.RESUME);
    Map<String, Object> changes = new HashMap<>();
    changes.put("paused", 0);
    changes.put("last_error", null);
    return transitions.apply(
        state,
        MigrationAction.RESUME,
        state.phase(),
        state.readPercent(),
        changes,
        actor,
        "resumed by operator");
  }

  /**
   * Changes backfill settings while the migration runs, in any phase: every instance applies them
   * from its next batch (they read them with the state). Recorded as a transition within the phase,
   * naming each change; a tune that changes nothing records none.
   *
   * @param overrides settings by the names of {@link BackfillTuning#names()}, e.g. {@code
   *     target-batch-time=100ms}
   * @return the settings in effect afterwards, by name
   * @throws IllegalArgumentException naming an unknown or malformed setting, or settings that
   *     contradict each other; nothing is stored then
   */
  public Map<String, String> tune(String id, Map<String, String> overrides, String actor) {
    return tuning.tune(id, overrides, actor);
  }

  /**
   * Runs a full verification. From BACKFILLED, 0 mismatches moves to VERIFIED and any mismatch
   * refuses; in later phases it reports drift (e.g. from writers bypassing the application).
   */
  public VerificationReport verify(String id, String actor) {
    return observer.observe(
        OperationObserver.Operation.VERIFY, id, () -> verification.verify(id, actor));
  }

  /**
   * Copies again each row the backfill set aside (after the operator fixed its data), each in its
   * own transaction; rows that copy leave the poison table, the others keep their new error.
   *
   * @return the rows still set aside
   */
  public List<PoisonRow> retryPoison(String id, String actor) {
    return verification.retryPoison(id);
  }

  /**
   * Re-copies every key the verifier finds mismatching (drift from writers that bypass the
   * application, including rows above the backfill's upper key that never reached new), each in its
   * own transaction, then verifies again. The history records how many keys were re-copied; the
   * phase does not move (verify does that).
   */
  public RepairReport repair(String id, String actor) {
    return verification.repair(id, actor);
  }

  /** Sets the share of keys read from the new schema (sticky per key). */
  public MigrationState readNew(String id, int percent, String actor) {
    if (percent < 0 || percent > 100) {
      throw new IllegalArgumentException("percent must be between 0 and 100, was " + percent);
    }
    MigrationAction action = MigrationAction.READ_NEW;
    MigrationState state = transitions.require(id, action);
    if (state.resyncOld() && percent < 100) {
      throw transitions.refuse(
          id,
          action,
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
      new WritePathProofs(dataSource, sql(id))
          .oldFormReadProblem()
          .ifPresent(
              problem -> {
                throw transitions.refuse(
                    id, action, "reads from new could not be saved back: " + problem);
              });
    }
    Map<String, Object> changes = new HashMap<>();
    boolean full = percent == 100;
    Long fullSince = state.readPercent() == 100 && full ? state.readNewFullAt() : null;
    changes.put("read_new_full_at", full ? (fullSince != null ? fullSince : now()) : null);
    return transitions.apply(
        state, action, Phase.READ_NEW, percent, changes, actor, "reads from new: " + percent + "%");
  }

  /** READ_NEW at 100% to NEW_ONLY, once every live instance reads new and the soak time passed. */
  public MigrationState stopOldWrites(String id, String actor) {
    MigrationAction action = MigrationAction.STOP_OLD_WRITES;
    MigrationState state = transitions.require(id, action);
    transitions.requireGuards(state, action);
    new WritePathProofs(dataSource, sql(id))
        .newOnlyWriteProblem()
        .ifPresent(
            problem -> {
              throw transitions.refuse(
                  id,
                  action,
                  "new-only writes could not produce the new schema's values: " + problem);
            });
    safetyNets.beforeOldWritesStop(id);
    return transitions.apply(
        state, action, Phase.NEW_ONLY, 100, Map.of(), actor, "writes to the old schema stopped");
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
    MigrationAction action = MigrationAction.CONTRACT;
    MigrationState state = transitions.require(id, action);
    // Gone since stop-old-writes, unless a step failed: no trigger may outlive the DDL.
    safetyNets.beforeOldWritesStop(id);
    if (state.phase() == Phase.NEW_ONLY) {
      transitions.requireGuards(state, action);
      state =
          transitions.apply(
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
    return transitions.apply(
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
    return rollback.rollback(id, actor);
  }

  private MigrationSql sql(String id) {
    return migrations.apply(id);
  }

  private long now() {
    return store.clock().millis();
  }
}
