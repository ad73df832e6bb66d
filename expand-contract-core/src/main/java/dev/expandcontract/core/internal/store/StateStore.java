package dev.expandcontract.core.internal.store;

import static dev.expandcontract.core.internal.sql.Jdbc.nullableLong;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.MigrationState;
import dev.expandcontract.core.store.PhaseTransition;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The shared state of every migration, in the application's own database: phase rows with
 * optimistic locking, the transition history, backfill checkpoints and chunk leases, and (through
 * {@link #instances()}) instance heartbeats. Every instance coordinates through these tables; no
 * other server is needed.
 */
public final class StateStore {

  private static final Pattern PREFIX = Pattern.compile("[a-z][a-z0-9_]{0,29}");
  private static final String COLUMNS =
      "migration_id, phase, read_percent, version, updated_at, paused, resync_old, cursor_key,"
          + " upper_key, rows_done, rows_total, batch_size, backfill_started_at,"
          + " backfill_finished_at, last_error, claim_owner, claim_until, read_new_full_at,"
          + " verify_mismatches, verify_sample, verified_at";

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final Clock clock;
  private final String migrationTable;
  private final String transitionTable;

  /**
   * The classpath resource with the DDL of the library's tables for the default prefix, for
   * databases whose application user may not create tables; a test keeps it equal to what {@link
   * StateTables#createTablesIfAbsent} runs.
   */
  public static final String SCHEMA_SCRIPT = "dev/expandcontract/core/store/schema.sql";

  /** More of a transition's writes, in its transaction. */
  @FunctionalInterface
  private interface TransactionStep {
    void run(Connection connection) throws SQLException;
  }

  private final String prefix;
  private final OldColumnTypes oldColumnTypes;
  private final ChunkStore chunks;
  private final PoisonRows poison;
  private final BackfillTunings tunings;
  private final StateTables tables;
  private final InstanceHeartbeats instances;

  /**
   * @param tablePrefix prefix of the state tables, e.g. {@code expand_contract_}
   */
  public StateStore(DataSource dataSource, SqlDialect dialect, Clock clock, String tablePrefix) {
    if (!PREFIX.matcher(tablePrefix).matches()) {
      throw new IllegalArgumentException(
          "table prefix '" + tablePrefix + "' must match " + PREFIX.pattern());
    }
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.clock = clock;
    this.prefix = tablePrefix;
    this.migrationTable = tablePrefix + "migration";
    this.transitionTable = tablePrefix + "transition";
    this.chunks = new ChunkStore(dataSource, dialect, clock, tablePrefix);
    this.poison = new PoisonRows(dataSource, clock, tablePrefix);
    this.oldColumnTypes = new OldColumnTypes(dataSource, tablePrefix);
    this.tunings = new BackfillTunings(dataSource, tablePrefix);
    this.tables = new StateTables(dataSource, dialect, tablePrefix);
    this.instances = new InstanceHeartbeats(dataSource, dialect, clock, tablePrefix);
  }

  /** The library's own tables: which exist, and their creation. */
  public StateTables tables() {
    return tables;
  }

  /** Each instance's heartbeat: the state it acts on and the routing it applies. */
  public InstanceHeartbeats instances() {
    return instances;
  }

  /** The old columns' types, recorded while they exist. */
  public OldColumnTypes oldColumnTypes() {
    return oldColumnTypes;
  }

  /** The rows each migration's backfill set aside because their transform fails. */
  public PoisonRows poison() {
    return poison;
  }

  public BackfillTunings tunings() {
    return tunings;
  }

  /** The leased chunks of each migration's backfill. */
  public ChunkStore chunks() {
    return chunks;
  }

  public String tablePrefix() {
    return prefix;
  }

  public Clock clock() {
    return clock;
  }

  /** Inserts the EXPANDED row of a migration unless one exists. */
  public MigrationState register(String id, int batchSize) {
    return load(id)
        .orElseGet(
            () -> {
              try (Connection connection = dataSource.getConnection()) {
                Jdbc.update(
                    connection,
                    "INSERT INTO "
                        + migrationTable
                        + " (migration_id, phase, read_percent, version, updated_at, paused,"
                        + " resync_old, rows_done, rows_total, batch_size) VALUES"
                        + " (?, ?, 0, 0, ?, 0, 0, 0, 0, ?)",
                    id,
                    Phase.EXPANDED.name(),
                    clock.millis(),
                    batchSize);
              } catch (SQLException e) {
                // Another instance registered it first; its row is as good as ours.
              }
              return load(id).orElseThrow(() -> new IllegalStateException("cannot register " + id));
            });
  }

  public Optional<MigrationState> load(String id) {
    try (Connection connection = dataSource.getConnection()) {
      return load(connection, id);
    } catch (SQLException e) {
      throw failure("load state of " + id, e);
    }
  }

  /**
   * Runs work while holding the migration's state row locked, waiting at most {@code wait} for the
   * lock; false when it did not get it in time (nothing ran). Instances writing the migration's
   * flags take it, so that one writes all of them before the next reads or writes any.
   */
  public boolean whileLocked(String id, Duration wait, Runnable work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        for (String statement : dialect.lockTimeout(wait)) {
          Jdbc.update(connection, statement);
        }
        Jdbc.query(
            connection,
            "SELECT migration_id FROM "
                + migrationTable
                + " WHERE migration_id = ?"
                + dialect.lockRows(),
            rs -> rs.getString(1),
            id);
        work.run();
        connection.commit();
        return true;
      } catch (SQLException e) {
        connection.rollback();
        if (dialect.isLockTimeout(e)) {
          return false;
        }
        throw e;
      } finally {
        for (String statement : dialect.resetLockTimeout()) {
          Jdbc.update(connection, statement);
        }
        connection.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw failure("lock the state of " + id, e);
    }
  }

  public Optional<MigrationState> load(Connection connection, String id) throws SQLException {
    return Jdbc.query(
            connection,
            "SELECT " + COLUMNS + " FROM " + migrationTable + " WHERE migration_id = ?",
            StateStore::state,
            id)
        .stream()
        .findFirst();
  }

  public List<MigrationState> loadAll() {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT " + COLUMNS + " FROM " + migrationTable + " ORDER BY migration_id",
          StateStore::state);
    } catch (SQLException e) {
      throw failure("load states", e);
    }
  }

  /**
   * Moves a migration from the state its caller read to a new one, and records why; fails (false)
   * if anyone changed the state since it was read, so racing callers cannot both win.
   *
   * @param changes further columns to set, by name (internal names only)
   */
  public boolean transition(
      MigrationState expected,
      Phase to,
      int readPercent,
      Map<String, Object> changes,
      String actor,
      String reason) {
    return transition(expected, to, readPercent, changes, actor, reason, "", connection -> {});
  }

  /**
   * Records an operator's change of backfill settings as a transition within the phase, and
   * replaces the stored overrides with {@code overrides} in the same transaction; false when the
   * state changed since it was read.
   */
  public boolean tune(
      MigrationState expected, Map<String, String> overrides, String actor, String reason) {
    return transition(
        expected,
        expected.phase(),
        expected.readPercent(),
        Map.of(),
        actor,
        reason,
        "",
        connection -> tunings.replace(connection, expected.id(), overrides));
  }

  /**
   * Like {@link #transition}, for the end of a backfill run: applied only while every chunk of the
   * run is done, in the same conditional update.
   */
  public boolean completeBackfill(
      MigrationState expected,
      Phase to,
      int readPercent,
      Map<String, Object> changes,
      String actor,
      String reason) {
    return transition(
        expected,
        to,
        readPercent,
        changes,
        actor,
        reason,
        " AND " + chunks.everyChunkDone(),
        connection -> {});
  }

  private boolean transition(
      MigrationState expected,
      Phase to,
      int readPercent,
      Map<String, Object> changes,
      String actor,
      String reason,
      String guard,
      TransactionStep alsoInTransaction) {
    long now = clock.millis();
    Map<String, Object> set = new LinkedHashMap<>();
    set.put("phase", to.name());
    set.put("read_percent", readPercent);
    set.put("version", expected.version() + 1);
    set.put("updated_at", now);
    set.putAll(changes);
    List<Object> params = new ArrayList<>(set.values());
    params.add(expected.id());
    params.add(expected.version());
    String assignments = String.join(" = ?, ", set.keySet()) + " = ?";
    try {
      return Jdbc.inTransaction(
          dataSource,
          connection -> {
            int updated =
                Jdbc.update(
                    connection,
                    "UPDATE "
                        + migrationTable
                        + " SET "
                        + assignments
                        + " WHERE migration_id = ? AND version = ?"
                        + guard,
                    params.toArray());
            if (updated == 0) {
              return false;
            }
            if (changes.containsKey("backfill_started_at")) {
              // A backfill run starts or is dropped: its chunks are cut afresh from its upper key,
              // and its poison rows are found afresh.
              chunks.deleteAll(connection, expected.id());
              poison.deleteAll(connection, expected.id());
            }
            Jdbc.update(
                connection,
                "INSERT INTO "
                    + transitionTable
                    + " (migration_id, version, from_phase, to_phase, read_percent, at_millis,"
                    + " actor, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                expected.id(),
                expected.version() + 1,
                expected.phase().name(),
                to.name(),
                readPercent,
                now,
                truncate(actor, 200),
                truncate(reason, 2000));
            alsoInTransaction.run(connection);
            return true;
          });
    } catch (SQLException e) {
      throw failure("transition " + expected.id() + " to " + to, e);
    }
  }

  /**
   * Moves the migration's progress inside the batch's own transaction, and names the instance that
   * committed it. Fails (false) when the backfill was paused or rolled back meanwhile: the batch
   * must then roll back. Taken first in the batch's checkpoint, this row lock orders concurrent
   * workers' commits, so {@link #moveCursor} sees every chunk that committed before.
   */
  public boolean checkpoint(
      Connection batch,
      String id,
      String owner,
      long leaseUntil,
      boolean reverse,
      long rows,
      int size)
      throws SQLException {
    return Jdbc.update(
            batch,
            "UPDATE "
                + migrationTable
                + " SET rows_done = rows_done + ?, batch_size = ?, last_error = NULL, claim_owner ="
                + " ?, claim_until = ? WHERE migration_id = ? AND paused = 0 AND "
                + (reverse ? "resync_old = 1" : "phase = '" + Phase.BACKFILLING.name() + "'"),
            rows,
            size,
            owner,
            leaseUntil,
            id)
        == 1;
  }

  /**
   * Moves the migration-wide cursor to where every chunk is done (every key up to it is copied), or
   * to {@code whenAllDone} once no chunk is left, in the batch's transaction.
   */
  public void moveCursor(Connection batch, String id, String whenAllDone) throws SQLException {
    Jdbc.update(
        batch,
        "UPDATE "
            + migrationTable
            + " SET cursor_key = "
            + chunks.doneUpTo()
            + " WHERE migration_id = ?",
        whenAllDone,
        id);
  }

  /** Records an error for operators without changing the phase. */
  public void recordError(String id, String error) {
    try (Connection connection = dataSource.getConnection()) {
      Jdbc.update(
          connection,
          "UPDATE " + migrationTable + " SET last_error = ? WHERE migration_id = ?",
          truncate(error, 2000),
          id);
    } catch (SQLException e) {
      throw failure("record error of " + id, e);
    }
  }

  /** Stores a verification result; only the counters change, never the phase. */
  public void recordVerification(String id, long mismatches, String sample) {
    try (Connection connection = dataSource.getConnection()) {
      Jdbc.update(
          connection,
          "UPDATE "
              + migrationTable
              + " SET verify_mismatches = ?, verify_sample = ?, verified_at = ? WHERE"
              + " migration_id = ?",
          mismatches,
          truncate(sample, 2000),
          clock.millis(),
          id);
    } catch (SQLException e) {
      throw failure("record verification of " + id, e);
    }
  }

  public List<PhaseTransition> transitions(String id, int limit) {
    try (Connection connection = dataSource.getConnection()) {
      List<PhaseTransition> all =
          Jdbc.query(
              connection,
              "SELECT migration_id, version, from_phase, to_phase, read_percent, at_millis,"
                  + " actor, reason FROM "
                  + transitionTable
                  + " WHERE migration_id = ? ORDER BY version DESC",
              rs ->
                  new PhaseTransition(
                      rs.getString(1),
                      rs.getLong(2),
                      Phase.valueOf(rs.getString(3)),
                      Phase.valueOf(rs.getString(4)),
                      rs.getInt(5),
                      Instant.ofEpochMilli(rs.getLong(6)),
                      rs.getString(7),
                      rs.getString(8)),
              id);
      return all.subList(0, Math.min(limit, all.size()));
    } catch (SQLException e) {
      throw failure("load transitions of " + id, e);
    }
  }

  private static MigrationState state(ResultSet rs) throws SQLException {
    return new MigrationState(
        rs.getString("migration_id"),
        Phase.valueOf(rs.getString("phase")),
        rs.getInt("read_percent"),
        rs.getLong("version"),
        rs.getLong("updated_at"),
        rs.getInt("paused") == 1,
        rs.getInt("resync_old") == 1,
        rs.getString("cursor_key"),
        rs.getString("upper_key"),
        rs.getLong("rows_done"),
        rs.getLong("rows_total"),
        rs.getInt("batch_size"),
        nullableLong(rs, "backfill_started_at"),
        nullableLong(rs, "backfill_finished_at"),
        rs.getString("last_error"),
        rs.getString("claim_owner"),
        nullableLong(rs, "claim_until"),
        nullableLong(rs, "read_new_full_at"),
        nullableLong(rs, "verify_mismatches"),
        rs.getString("verify_sample"),
        nullableLong(rs, "verified_at"));
  }

  private static String truncate(String text, int max) {
    return text == null || text.length() <= max ? text : text.substring(0, max);
  }

  static IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException("expand-contract state store: cannot " + what, e);
  }
}
