package dev.expandcontract.core.flags;

import dev.expandcontract.core.store.MigrationState;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Flags that are exactly what the phase prescribes; the default when no flag engine is set. */
public final class PhaseDrivenFlags implements MigrationFlags {

  private final Map<String, FlagValues> flags = new ConcurrentHashMap<>();

  @Override
  public void apply(MigrationState state) {
    flags.put(state.id(), FlagValues.prescribedBy(state));
  }

  @Override
  public Optional<FlagValues> load(String migrationId) {
    return Optional.ofNullable(flags.get(migrationId));
  }
}
