package dev.expandcontract.core.phase;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.store.MigrationState;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * How every action moves a state: read it, refuse with the guard's reason (told to the listener),
 * or apply the change with optimistic locking, so that of two instances racing the same action
 * exactly one wins and the other is told why.
 */
final class GuardedTransitions {

  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final ExpandContractListener listener;
  private final ActionGuards guards;

  GuardedTransitions(
      StateStore store,
      Function<String, MigrationSql> migrations,
      ExpandContractListener listener,
      ActionGuards guards) {
    this.store = store;
    this.migrations = migrations;
    this.listener = listener;
    this.guards = guards;
  }

  List<AllowedAction> allowed(MigrationState state) {
    return guards.allowed(state);
  }

  /** The state, if its phase allows the action. */
  MigrationState require(String id, MigrationAction action) {
    MigrationState state = load(id);
    requirePhase(state, action);
    return state;
  }

  /** Refuses unless the phase of {@code state} allows the action. */
  void requirePhase(MigrationState state, MigrationAction action) {
    refuseIf(state, action, guards.phaseRefusal(action, state));
  }

  /** Refuses if a guard refuses the action in {@code state} now (soak time, fleet, poison rows). */
  void requireGuards(MigrationState state, MigrationAction action) {
    refuseIf(state, action, guards.guardRefusal(action, state));
  }

  private void refuseIf(MigrationState state, MigrationAction action, Optional<String> refusal) {
    if (refusal.isPresent()) {
      throw refuse(state.id(), action, refusal.get());
    }
  }

  TransitionRefusedException refuse(String id, MigrationAction action, String reason) {
    listener.transitionRefused(id, action.actionName(), reason);
    return new TransitionRefusedException(id, action.actionName(), reason);
  }

  /** Moves {@code state} to {@code to}, unless another change came first; returns the new state. */
  MigrationState apply(
      MigrationState state,
      MigrationAction action,
      Phase to,
      int percent,
      Map<String, Object> changes,
      String actor,
      String reason) {
    if (!store.transition(
        state, to, percent, changes, actor, action.actionName() + ": " + reason)) {
      MigrationState now = load(state.id());
      throw refuse(
          state.id(),
          action,
          "the state changed concurrently (now "
              + ActionGuards.describe(now)
              + ", version "
              + now.version()
              + "); re-read and retry");
    }
    store.transitions(state.id(), 1).forEach(listener::phaseChanged);
    return load(state.id());
  }

  MigrationState load(String id) {
    migrations.apply(id);
    return store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
  }
}
