package dev.expandcontract.core.phase;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.BackfillTuning;
import dev.expandcontract.core.store.MigrationState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The {@code tune} action: backfill settings changed while the migration runs, in any phase. */
final class Tuning {

  private final StateStore store;
  private final Function<String, MigrationSql> migrations;
  private final ExpandContractListener listener;
  private final GuardedTransitions transitions;

  Tuning(
      StateStore store,
      Function<String, MigrationSql> migrations,
      ExpandContractListener listener,
      GuardedTransitions transitions) {
    this.store = store;
    this.migrations = migrations;
    this.listener = listener;
    this.transitions = transitions;
  }

  Map<String, String> tune(String id, Map<String, String> overrides, String actor) {
    if (overrides == null || overrides.isEmpty()) {
      throw new IllegalArgumentException(
          "tune needs at least one setting, one of " + BackfillTuning.names());
    }
    MigrationState state = transitions.load(id);
    BackfillSettings declared = migrations.apply(id).migration().backfill();
    BackfillSettings current = BackfillTuning.applyStored(declared, store.tunings().load(id));
    Map<String, String> before = BackfillTuning.values(current);
    Map<String, String> after = BackfillTuning.values(BackfillTuning.apply(current, overrides));
    Map<String, String> changed = new LinkedHashMap<>();
    List<String> described = new ArrayList<>();
    after.forEach(
        (name, value) -> {
          if (!value.equals(before.get(name))) {
            changed.put(name, value);
            described.add(name + "=" + value + " (was " + before.get(name) + ")");
          }
        });
    if (changed.isEmpty()) {
      return after;
    }
    // Stored: what differs from the declaration, so that a release changing a declared setting
    // that was never tuned still changes it.
    Map<String, String> declaredValues = BackfillTuning.values(declared);
    Map<String, String> overriding = new LinkedHashMap<>();
    after.forEach(
        (name, value) -> {
          if (!value.equals(declaredValues.get(name))) {
            overriding.put(name, value);
          }
        });
    if (!store.tune(state, overriding, actor, "tune: " + String.join(", ", described))) {
      throw transitions.refuse(
          id, MigrationAction.TUNE, "the state changed concurrently; re-read and retry");
    }
    store.transitions(id, 1).forEach(listener::phaseChanged);
    return after;
  }
}
