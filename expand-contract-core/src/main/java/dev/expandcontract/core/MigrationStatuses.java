package dev.expandcontract.core;

import dev.expandcontract.core.backfill.BackfillEngine;
import dev.expandcontract.core.backfill.ChunkLeases;
import dev.expandcontract.core.backfill.ChunkProgress;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.BackfillTuning;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.UnknownMigrationException;
import dev.expandcontract.core.store.MigrationState;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** What operators see of each migration, read from the database or from the states in memory. */
final class MigrationStatuses {

  private final StateStore store;
  private final AdoptedStates states;
  private final MigrationStartup startup;
  private final ChunkLeases leases;
  private final BackfillEngine backfill;
  private final MigrationControl control;
  private final Duration instanceTimeout;

  MigrationStatuses(
      StateStore store,
      AdoptedStates states,
      MigrationStartup startup,
      ChunkLeases leases,
      BackfillEngine backfill,
      MigrationControl control,
      Duration instanceTimeout) {
    this.store = store;
    this.states = states;
    this.startup = startup;
    this.leases = leases;
    this.backfill = backfill;
    this.control = control;
    this.instanceTimeout = instanceTimeout;
  }

  /**
   * Status from the database; while it cannot be reached, the state last seen, marked as unknown in
   * {@code lastError}; before the migrations started, no state (phase null) and why.
   */
  MigrationStatus status(Migration migration) {
    String id = migration.id();
    if (!startup.started()) {
      return progress(migration);
    }
    MigrationState state;
    try {
      state = store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
    } catch (IllegalStateException e) {
      if (states.noteIfUnreachable(e.getCause())) {
        return progress(migration);
      }
      throw e;
    }
    return MigrationStatus.of(
        migration.kind(),
        state,
        store.clock().instant(),
        states.recent(id),
        false,
        store.transitions(id, 10),
        store.instances().liveInstances(id, store.clock().instant().minus(instanceTimeout)),
        store.poison().count(id),
        leases.progress(id, state.backfillRunning()).waitingFor(backfill.resyncWaitingFor(state)),
        backfill.throttleState(id),
        BackfillTuning.values(
            BackfillTuning.applyStored(migration.backfill(), store.tunings().load(id))),
        control.allowedActions(state));
  }

  /**
   * Status from the state this instance holds in memory, without transitions, instances, chunks or
   * poison rows: cheap enough for metrics gauges and health checks. Before the migrations started,
   * no state (phase null) and why in {@code lastError}.
   */
  MigrationStatus progress(Migration migration) {
    String id = migration.id();
    Optional<MigrationState> held = states.held(id);
    if (held.isEmpty()) {
      return MigrationStatus.unknown(
          id, migration.kind(), migration.backfill().batchSize(), startup.unknownReason());
    }
    MigrationStatus status =
        MigrationStatus.of(
            migration.kind(),
            held.get(),
            store.clock().instant(),
            states.recent(id),
            true,
            List.of(),
            List.of(),
            0,
            ChunkProgress.NONE,
            backfill.throttleState(id),
            BackfillTuning.values(backfill.settings(id)),
            List.of());
    return states.databaseProblem().map(status::withLastError).orElse(status);
  }
}
