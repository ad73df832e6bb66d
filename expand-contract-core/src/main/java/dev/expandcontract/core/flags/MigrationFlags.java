package dev.expandcontract.core.flags;

import dev.expandcontract.core.store.MigrationState;

/**
 * The flag engine behind a migration's switches. The phase drives the flags through {@link #apply};
 * the request path asks the flags, and {@link FlagRouter} refuses any answer the phase does not
 * allow.
 */
public interface MigrationFlags {

  /** Sets the flags to what the state prescribes; called at start-up and after transitions. */
  void apply(MigrationState state);

  /** Whether the read-new flag sends this key to the new schema (sticky percentage). */
  boolean readNew(String migrationId, Object key);

  /** Whether the write-old flag is on. */
  boolean writeOld(String migrationId);

  /** Whether the shadow-read flag is on. */
  boolean shadowRead(String migrationId);
}
