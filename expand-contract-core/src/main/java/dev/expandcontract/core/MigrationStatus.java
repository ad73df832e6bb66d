package dev.expandcontract.core;

import dev.expandcontract.core.backfill.ChunkProgress;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.store.InstanceView;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import java.time.Instant;
import java.util.List;

/**
 * What operators see of one migration: phase, progress, speed, errors and who reads what.
 *
 * @param rowsTotal an estimate taken when the backfill started
 * @param etaSeconds null when unknown (not started, or no progress yet)
 * @param poisonRows rows the backfill set aside because their transform fails (retry-poison)
 * @param chunks the backfill run's leased chunks, and what a worker waits for if it cannot go on
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
    int batchSize,
    String lastError,
    Long verifyMismatches,
    String verifySample,
    long poisonRows,
    List<PhaseTransition> recentTransitions,
    List<InstanceView> liveInstances,
    ChunkProgress chunks) {

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
        batchSize,
        error,
        verifyMismatches,
        verifySample,
        poisonRows,
        recentTransitions,
        liveInstances,
        chunks);
  }

  static MigrationStatus of(
      MigrationKind kind,
      MigrationState state,
      Instant now,
      List<PhaseTransition> transitions,
      List<InstanceView> instances,
      long poisonRows,
      ChunkProgress chunks) {
    double rate = 0;
    Long eta = null;
    if (state.backfillStartedAt() != null) {
      long end =
          state.backfillFinishedAt() != null ? state.backfillFinishedAt() : now.toEpochMilli();
      double seconds = Math.max(0.001, (end - state.backfillStartedAt()) / 1000.0);
      rate = state.rowsDone() / seconds;
      if (state.backfillRunning() && rate > 0) {
        eta = (long) Math.ceil(Math.max(0, state.rowsTotal() - state.rowsDone()) / rate);
      } else if (!state.backfillRunning()) {
        eta = 0L;
      }
    }
    return new MigrationStatus(
        state.id(),
        kind,
        state.phase(),
        state.readPercent(),
        state.paused(),
        state.resyncOld(),
        state.rowsDone(),
        Math.max(state.rowsTotal(), state.rowsDone()),
        rate,
        eta,
        state.batchSize(),
        state.lastError(),
        state.verifyMismatches(),
        state.verifySample(),
        poisonRows,
        transitions,
        instances,
        chunks);
  }
}
