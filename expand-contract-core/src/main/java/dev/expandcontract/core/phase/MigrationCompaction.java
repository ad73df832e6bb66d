package dev.expandcontract.core.phase;

import dev.expandcontract.core.ddl.DdlRefusedException;
import dev.expandcontract.core.ddl.PgRepackCompaction;
import dev.expandcontract.core.ddl.TableCompaction;
import dev.expandcontract.core.internal.store.StateStore;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.store.MigrationState;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The {@code compact} action: reclaims online, with pg_repack, the dead space a migration left in
 * its table. From BACKFILLED up to NEW_ONLY the backfill's updates left an old version of every row
 * in the new table; after CONTRACTED the dropped columns still take their space in the old one.
 * Refused while the backfill (or a re-sync) still writes the rows, and during CONTRACTING. It
 * changes no state: the outcome of each migration's last compaction is kept here, in memory.
 */
public final class MigrationCompaction {

  private final StateStore store;
  private final Function<String, Migration> migrations;
  private final PgRepackCompaction repack;
  private final Map<String, Compacted> last = new ConcurrentHashMap<>();
  private final Set<String> running = ConcurrentHashMap.newKeySet();

  /**
   * @param migrations the declared migration of an id; throws {@link UnknownMigrationException}
   */
  public MigrationCompaction(
      StateStore store, Function<String, Migration> migrations, PgRepackCompaction repack) {
    this.store = store;
    this.migrations = migrations;
    this.repack = repack;
  }

  /**
   * Repacks the table the migration's phase left dead space in.
   *
   * @throws TransitionRefusedException when the phase or the database does not allow it; nothing
   *     ran
   */
  public Compacted compact(String id, String actor) {
    Migration migration = migrations.apply(id);
    MigrationState state = store.load(id).orElseThrow(() -> new UnknownMigrationException(id));
    String table = table(migration, state);
    if (!running.add(id)) {
      throw refuse(id, "a compaction of '" + id + "' is already running on this instance");
    }
    try {
      TableCompaction result = repack.compact(table);
      Compacted compacted =
          new Compacted(id, state.phase(), result, store.clock().instant(), actor);
      last.put(id, compacted);
      return compacted;
    } catch (DdlRefusedException e) {
      throw refuse(id, e.getMessage());
    } finally {
      running.remove(id);
    }
  }

  /** The last compaction this instance ran for the migration. */
  public Optional<Compacted> last(String id) {
    return Optional.ofNullable(last.get(id));
  }

  private static String table(Migration migration, MigrationState state) {
    phaseRefusal(state)
        .ifPresent(
            reason -> {
              throw refuse(migration.id(), reason);
            });
    return state.phase() == Phase.CONTRACTED ? migration.oldTable() : migration.newTable();
  }

  /** Why the phase refuses a compaction, if it does: no table has dead space to reclaim safely. */
  static Optional<String> phaseRefusal(MigrationState state) {
    if (state.resyncOld()) {
      return Optional.of(
          "the old schema is being re-synced after a rollback; compact once it is done");
    }
    return switch (state.phase()) {
      case BACKFILLED, VERIFIED, READ_NEW, NEW_ONLY, CONTRACTED -> Optional.empty();
      case EXPANDED ->
          Optional.of(
              "nothing to reclaim before a backfill: compact is allowed from BACKFILLED up to"
                  + " NEW_ONLY and after CONTRACTED; phase is EXPANDED");
      case BACKFILLING ->
          Optional.of("the backfill still updates the rows; compact once the phase is BACKFILLED");
      case CONTRACTING ->
          Optional.of("the contract DDL has begun; run contract again to finish it, then compact");
    };
  }

  private static TransitionRefusedException refuse(String id, String reason) {
    return new TransitionRefusedException(id, MigrationAction.COMPACT.actionName(), reason);
  }

  /**
   * One compaction that ran.
   *
   * @param migrationId the migration
   * @param phase the phase it ran in
   * @param result the table and its size before and after
   * @param at when it finished
   * @param actor who asked for it
   */
  public record Compacted(
      String migrationId, Phase phase, TableCompaction result, Instant at, String actor) {}
}
