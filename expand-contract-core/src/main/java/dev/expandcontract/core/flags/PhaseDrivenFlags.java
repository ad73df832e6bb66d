package dev.expandcontract.core.flags;

import dev.expandcontract.core.store.MigrationState;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Flags that are exactly what the phase prescribes; the default when no flag engine is set. */
public final class PhaseDrivenFlags implements MigrationFlags {

  private final Map<String, MigrationState> states = new ConcurrentHashMap<>();

  @Override
  public void apply(MigrationState state) {
    states.put(state.id(), state);
  }

  @Override
  public boolean readNew(String migrationId, Object key) {
    MigrationState state = states.get(migrationId);
    if (state == null) {
      return false;
    }
    if (state.phase().mustReadNew() || state.resyncOld()) {
      return true;
    }
    return state.phase().mayReadNew()
        && StickyPercentage.readsNew(migrationId, key, state.readPercent());
  }

  @Override
  public boolean writeOld(String migrationId) {
    MigrationState state = states.get(migrationId);
    return state == null || state.phase().writesOld();
  }

  @Override
  public boolean shadowRead(String migrationId) {
    MigrationState state = states.get(migrationId);
    return state != null && state.phase().allowsShadowReads();
  }
}
