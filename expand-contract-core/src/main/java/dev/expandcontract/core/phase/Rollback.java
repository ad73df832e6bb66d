package dev.expandcontract.core.phase;

import dev.expandcontract.core.store.MigrationState;
import java.util.Map;

/**
 * The {@code rollback} action: back to reads from old, losing nothing before NEW_ONLY, and from
 * NEW_ONLY through a re-sync of the old schema.
 */
final class Rollback {

  private final GuardedTransitions transitions;

  Rollback(GuardedTransitions transitions) {
    this.transitions = transitions;
  }

  MigrationState rollback(String id, String actor) {
    MigrationAction action = MigrationAction.ROLLBACK;
    MigrationState state = transitions.load(id);
    if (state.phase() == Phase.EXPANDED) {
      return state; // reads come from old already: nothing to roll back, nothing recorded
    }
    transitions.requirePhase(state, action);
    transitions.requireGuards(state, action);
    if (state.phase() == Phase.NEW_ONLY) {
      // No upper key yet: instances that have not adopted this state still insert rows by new
      // only. The re-sync fixes its range once every live instance writes old again
      // (BackfillEngine).
      Map<String, Object> changes = BackfillColumns.fresh(null);
      changes.put("resync_old", 1);
      changes.put("upper_key", null);
      return transitions.apply(
          state,
          action,
          Phase.READ_NEW,
          100,
          changes,
          actor,
          "rolled back from NEW_ONLY: writes go to both again; re-syncing the old schema");
    }
    Map<String, Object> changes = BackfillColumns.fresh(null);
    changes.put("upper_key", null);
    changes.put("read_new_full_at", null);
    return transitions.apply(
        state,
        action,
        Phase.EXPANDED,
        0,
        changes,
        actor,
        "rolled back from " + state.phase() + ": reads from old");
  }
}
