package dev.expandcontract.core.store;

import static dev.expandcontract.core.sql.Jdbc.nullableLong;

import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.sql.Jdbc;
import dev.expandcontract.core.sql.SqlDialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The shared state of every migration, in the application's own database: phase rows with
 * optimistic locking, the transition history, backfill checkpoints and chunk leases, and instance
 * heartbeats. Every instance coordinates through these tables; no other server is needed.
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
  private final String instanceTable;

  /**
   * The classpath resource with the DDL of the library's tables for the default prefix, for
   * databases whose application user may not create tables; a test keeps it equal to what {@link
   * #createTablesIfAbsent} runs.
   */
  public static final String SCHEMA_SCRIPT = "dev/expandcontract/core/store/schema.sql";

  private final String prefix;
  private final OldColumnTypes oldColumnTypes;
  private final ChunkStore chunks;
  private final PoisonRows poison;

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
    this.instanceTable = tablePrefix + "instance";
    this.chunks = new ChunkStore(dataSource, dialect, clock, tablePrefix);
    this.poison = new PoisonRows(dataSource, clock, tablePrefix);
    this.oldColumnTypes = new OldColumnTypes(dataSource, tablePrefix);
  }

  /** The old columns' types, recorded while they exist. */
  public OldColumnTypes oldColumnTypes() {
    return oldColumnTypes;
  }

  /** The rows each migration's backfill set aside because their transform fails. */
  public PoisonRows poison() {
    return poison;
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

  /**
   * True when the migration state table exists, asked of the catalog rather than by a failing query
   * (which drivers log as an error on a first start).
   */
  public boolean stateTableExists() {
    return missingTables(List.of(migrationTable)).isEmpty();
  }

  /** The library's tables the database does not have, asked of the catalog. */
  public List<String> missingTables() {
    return missingTables(
        dialect.createStateTables(prefix).stream().map(StateStore::tableOf).toList());
  }

  private List<String> missingTables(List<String> tables) {
    try (Connection connection = dataSource.getConnection()) {
      DatabaseMetaData meta = connection.getMetaData();
      List<String> missing = new ArrayList<>();
      for (String table : tables) {
        if (!inCatalog(meta, connection, table)) {
          missing.add(table);
        }
      }
      return missing;
    } catch (SQLException e) {
      throw failure("look up " + tables, e);
    }
  }

  private static boolean inCatalog(DatabaseMetaData meta, Connection connection, String table)
      throws SQLException {
    for (String name :
        List.of(table, table.toUpperCase(Locale.ROOT), table.toLowerCase(Locale.ROOT))) {
      try (ResultSet tables =
          meta.getTables(connection.getCatalog(), connection.getSchema(), name, null)) {
        if (tables.next()) {
          return true;
        }
      }
    }
    return false;
  }

  /** The table a {@code CREATE TABLE IF NOT EXISTS <table> (...)} statement creates. */
  private static String tableOf(String ddl) {
    return ddl.split("\\s+")[5];
  }

  /** Creates the state tables if absent; safe when several instances start at once. */
  public void createTablesIfAbsent() {
    for (String ddl : dialect.createStateTables(prefix)) {
      try (Connection connection = dataSource.getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(ddl);
      } catch (SQLException e) {
        // Two instances racing CREATE TABLE IF NOT EXISTS: the loser may fail; the table exists.
        if (!missingTables(List.of(tableOf(ddl))).isEmpty()) {
          throw new IllegalStateException("cannot create state table: " + e.getMessage(), e);
        }
      }
    }
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
    return transition(expected, to, readPercent, changes, actor, reason, "");
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
        expected, to, readPercent, changes, actor, reason, " AND " + chunks.everyChunkDone());
  }

  private boolean transition(
      MigrationState expected,
      Phase to,
      int readPercent,
      Map<String, Object> changes,
      String actor,
      String reason,
      String guard) {
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
   * workers' commits, so {@link ChunkStore#doneUpTo} sees every chunk that committed before.
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

  /** Sets the migration-wide cursor: every key up to it is copied. */
  public void moveCursor(Connection batch, String id, String cursor) throws SQLException {
    Jdbc.update(
        batch,
        "UPDATE " + migrationTable + " SET cursor_key = ? WHERE migration_id = ?",
        cursor,
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

  /**
   * Records which state an instance acts on and the routing it applies for it; the fleet-wide
   * guards read these heartbeats.
   *
   * @param readPercentApplied the share of keys this instance reads from new
   * @param writesOldApplied whether this instance still writes the old schema
   */
  public void heartbeat(
      String instanceId, MigrationState seen, int readPercentApplied, boolean writesOldApplied) {
    try (Connection connection = dataSource.getConnection()) {
      Jdbc.update(
          connection,
          dialect.upsert(
              instanceTable,
              "instance_id, migration_id",
              List.of(
                  "instance_id",
                  "migration_id",
                  "phase_seen",
                  "version_seen",
                  "read_percent_applied",
                  "writes_old_applied",
                  "heartbeat_at"),
              "VALUES (?, ?, ?, ?, ?, ?, ?)"),
          instanceId,
          seen.id(),
          seen.phase().name(),
          seen.version(),
          readPercentApplied,
          writesOldApplied ? 1 : 0,
          clock.millis());
    } catch (SQLException e) {
      throw failure("heartbeat of " + instanceId, e);
    }
  }

  /** Instances whose heartbeat is newer than {@code since}. */
  public List<InstanceView> liveInstances(String migrationId, Instant since) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT instance_id, migration_id, phase_seen, version_seen, read_percent_applied,"
              + " writes_old_applied, heartbeat_at FROM "
              + instanceTable
              + " WHERE migration_id = ? AND heartbeat_at >= ? ORDER BY instance_id",
          rs ->
              new InstanceView(
                  rs.getString(1),
                  rs.getString(2),
                  Phase.valueOf(rs.getString(3)),
                  rs.getLong(4),
                  rs.getInt(5),
                  rs.getInt(6) == 1,
                  Instant.ofEpochMilli(rs.getLong(7))),
          migrationId,
          since.toEpochMilli());
    } catch (SQLException e) {
      throw failure("load instances of " + migrationId, e);
    }
  }

  /**
   * The live instances (heartbeat within {@code instanceTimeout}) that have not yet acknowledged
   * {@code state} with the routing {@code ready} asks for; the fleet-wide guards wait for none.
   */
  public List<InstanceView> laggingInstances(
      MigrationState state, Duration instanceTimeout, Predicate<InstanceView> ready) {
    return liveInstances(state.id(), clock.instant().minus(instanceTimeout)).stream()
        .filter(instance -> !instance.acknowledged(state, ready))
        .toList();
  }

  /** Forgets an instance that shut down cleanly, so fleet-wide guards stop waiting for it. */
  public void leave(String instanceId) {
    try (Connection connection = dataSource.getConnection()) {
      Jdbc.update(
          connection, "DELETE FROM " + instanceTable + " WHERE instance_id = ?", instanceId);
    } catch (SQLException e) {
      throw failure("remove instance " + instanceId, e);
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

  private static IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException("expand-contract state store: cannot " + what, e);
  }
}
