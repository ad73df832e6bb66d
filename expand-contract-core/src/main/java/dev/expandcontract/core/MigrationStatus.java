package dev.expandcontract.core;

import dev.expandcontract.core.backfill.ChunkProgress;
import dev.expandcontract.core.backfill.ThrottleState;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.phase.AllowedAction;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What operators see of one migration: phase, progress, speed, errors and who reads what.
 *
 * @param phase null while the state is unknown: this instance has not read it since it started
 *     ({@code lastError} says why)
 * @param rowsTotal an estimate taken when the backfill started
 * @param rowsDone rows copied, including this instance's batches since its last refresh
 * @param rowsPerSecond over this instance's recent batches, pauses excluded (the average since the
 *     start when this instance copied none)
 * @param backfillStartedAt when the current backfill or re-sync started, null before
 * @param backfillFinishedAt when it reached its upper key, null until then
 * @param etaSeconds null when unknown (not started, paused, or no progress yet); 0 once copied
 * @param poisonRows rows the backfill set aside because their transform fails (retry-poison)
 * @param chunks the backfill run's leased chunks, and what a worker waits for if it cannot go on
 * @param throttle how this instance paces the backfill now, and why
 * @param backfillSettings the tunable backfill settings in effect, by name, the operator's {@code
 *     tune} overrides included
 * @param allowedActions the actions the phase allows now, each with the reason a guard would refuse
 *     it at the moment, if one would; empty while the state is unknown and in {@link
 *     ExpandContract#progress}
 */
public record MigrationStatus(
    String id,
    MigrationKind kind,
    Phase phase,
    int readPercent,
    boolean paused,
    boolean resyncingOld,
    long rowsDone,
    long rowsTotal,
    double rowsPerSecond,
    Long etaSeconds,
    Instant backfillStartedAt,
    Instant backfillFinishedAt,
    int batchSize,
    String lastError,
    Long verifyMismatches,
    String verifySample,
    long poisonRows,
    List<PhaseTransition> recentTransitions,
    List<InstanceView> liveInstances,
    ChunkProgress chunks,
    ThrottleState throttle,
    Map<String, String> backfillSettings,
    List<AllowedAction> allowedActions) {

  /** This status with another {@code lastError}, e.g. that the state is unknown right now. */
  public MigrationStatus withLastError(String error) {
    return new MigrationStatus(
        id,
        kind,
        phase,
        readPercent,
        paused,
        resyncingOld,
        rowsDone,
        rowsTotal,
        rowsPerSecond,
        etaSeconds,
        backfillStartedAt,
        backfillFinishedAt,
        batchSize,
        error,
        verifyMismatches,
        verifySample,
        poisonRows,
        recentTransitions,
        liveInstances,
        chunks,
        throttle,
        backfillSettings,
        allowedActions);
  }

  /** The phase's name, or UNKNOWN while this instance has not read the state since it started. */
  public String phaseName() {
    return phase == null ? "UNKNOWN" : phase.name();
  }

  /** A migration whose state this instance has not read since it started, and why. */
  static MigrationStatus unknown(String id, MigrationKind kind, int batchSize, String reason) {
    return new MigrationStatus(
        id,
        kind,
        null,
        0,
        false,
        false,
        0,
        0,
        0,
        null,
        null,
        null,
        batchSize,
        reason,
        null,
        null,
        0,
        List.of(),
        List.of(),
        ChunkProgress.NONE,
        ThrottleState.NONE,
        Map.of(),
        List.of());
  }

  static MigrationStatus of(
      MigrationKind kind,
      MigrationState state,
      Instant now,
      RecentProgress recent,
      boolean fromMemory,
      List<PhaseTransition> transitions,
      List<InstanceView> instances,
      long poisonRows,
      ChunkProgress chunks,
      ThrottleState throttle,
      Map<String, String> backfillSettings,
      List<AllowedAction> allowedActions) {
    boolean copying = state.phase() == Phase.BACKFILLING || state.resyncOld();
    // A state held in memory lags by a refresh; this instance's own batches since then count too.
    boolean addOwn = fromMemory && copying && recent.reverse() == state.resyncOld();
    long rowsDone = state.rowsDone() + (addOwn ? recent.rowsSinceAdopted() : 0);
    long rowsTotal = Math.max(state.rowsTotal(), rowsDone);
    double rate = 0;
    Long eta = null;
    if (state.backfillStartedAt() != null) {
      // This instance's recent batches, pauses excluded; else the average since the start.
      rate = copying ? recent.rowsPerSecond() : recent.meanRowsPerSecond();
      if (rate == 0) {
        long end =
            state.backfillFinishedAt() != null ? state.backfillFinishedAt() : now.toEpochMilli();
        rate = state.rowsDone() / Math.max(0.001, (end - state.backfillStartedAt()) / 1000.0);
      }
      if (!copying) {
        eta = 0L;
      } else if (!state.paused() && rate > 0) {
        eta = (long) Math.ceil((rowsTotal - rowsDone) / rate);
      } // paused, or no batch yet: unknown
    }
    return new MigrationStatus(
        state.id(),
        kind,
        state.phase(),
        state.readPercent(),
        state.paused(),
        state.resyncOld(),
        rowsDone,
        rowsTotal,
        rate,
        eta,
        state.backfillStartedAt() == null ? null : Instant.ofEpochMilli(state.backfillStartedAt()),
        state.backfillFinishedAt() == null
            ? null
            : Instant.ofEpochMilli(state.backfillFinishedAt()),
        state.batchSize(),
        state.lastError(),
        state.verifyMismatches(),
        state.verifySample(),
        poisonRows,
        transitions,
        instances,
        chunks,
        throttle,
        backfillSettings,
        allowedActions);
  }
}
