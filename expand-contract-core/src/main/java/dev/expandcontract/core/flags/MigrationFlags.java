package dev.expandcontract.core.flags;

import dev.expandcontract.core.store.MigrationState;
import java.util.Optional;

/**
 * The flag engine behind a migration's switches, used only off the request path: the phase drives
 * the flags through {@link #apply}, and the refresh loop {@link #load}s them so that {@link
 * FlagRouter} can report and repair any that contradict the state. Requests are routed from memory
 * and never wait for the flag store.
 */
public interface MigrationFlags {

  /**
   * Writes the flags the state prescribes to the flag store itself (through any cache), so that a
   * stored value that differs is repaired; called at start-up, after transitions and on repair.
   */
  void apply(MigrationState state);

  /**
   * Creates the flag store's tables unless they exist. Called once the database answers, before the
   * first {@link #apply}: not at construction, so an application can start while it is unreachable.
   */
  default void createStoreIfAbsent() {}

  /** Reads a migration's flags from the flag store, past any cache; empty if they are missing. */
  Optional<FlagValues> load(String migrationId);
}
