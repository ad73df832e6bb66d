package dev.expandcontract.core.internal.store;

import static dev.expandcontract.core.internal.sql.Jdbc.nullableLong;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.store.BackfillChunk;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The backfill's leased chunks, in the application's own database next to the state table. A worker
 * claims an unleased or expired chunk with {@code FOR UPDATE SKIP LOCKED}, so claimers never wait
 * for each other; its lease is renewed by every batch and by the owner's heartbeat, so it runs out
 * within one lease after the owner died. The chunks of a run are cut once, under the migration
 * row's lock, and removed when a new run starts.
 */
public final class ChunkStore {

  private static final String COLUMNS =
      "migration_id, chunk_no, lower_key, upper_key, cursor_key, done, rows_done, owner_id,"
          + " worker, lease_until";

  /** Cuts a run's key range: the inclusive upper key of each chunk, in key order. */
  @FunctionalInterface
  public interface Cutter {
    List<String> upperKeys(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final SqlDialect dialect;
  private final Clock clock;
  private final String chunkTable;
  private final String migrationTable;

  ChunkStore(DataSource dataSource, SqlDialect dialect, Clock clock, String tablePrefix) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.clock = clock;
    this.chunkTable = tablePrefix + "chunk";
    this.migrationTable = tablePrefix + "migration";
  }

  public List<BackfillChunk> all(String id) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT " + COLUMNS + " FROM " + chunkTable + " WHERE migration_id = ? ORDER BY chunk_no",
          ChunkStore::chunk,
          id);
    } catch (SQLException e) {
      throw failure("load chunks of " + id, e);
    }
  }

  /** The unfinished chunk this worker holds, if any. */
  public Optional<BackfillChunk> held(String id, String owner, int worker) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
              connection,
              "SELECT "
                  + COLUMNS
                  + " FROM "
                  + chunkTable
                  + " WHERE migration_id = ? AND done = 0 AND owner_id = ? AND worker = ?",
              ChunkStore::chunk,
              id,
              owner,
              worker)
          .stream()
          .findFirst();
    } catch (SQLException e) {
      throw failure("load the chunk of " + owner + "#" + worker, e);
    }
  }

  /**
   * Leases the first unfinished chunk that nobody holds: never claimed, its lease ran out, or held
   * by a worker number this instance no longer runs (it restarted with fewer workers).
   */
  public Optional<BackfillChunk> claim(
      String id, String owner, int worker, int workers, long leaseMillis) {
    long now = clock.millis();
    try {
      return Jdbc.inTransaction(
          dataSource,
          connection -> {
            Optional<BackfillChunk> free =
                Jdbc.query(
                        connection,
                        "SELECT "
                            + COLUMNS
                            + " FROM "
                            + chunkTable
                            + " WHERE migration_id = ? AND done = 0 AND (owner_id IS NULL OR"
                            + " lease_until < ? OR (owner_id = ? AND worker >= ?)) ORDER BY"
                            + " chunk_no LIMIT 1"
                            + dialect.lockRowsSkipLocked(),
                        ChunkStore::chunk,
                        id,
                        now,
                        owner,
                        workers)
                    .stream()
                    .findFirst();
            if (free.isEmpty()) {
              return Optional.empty();
            }
            BackfillChunk c = free.get();
            Jdbc.update(
                connection,
                "UPDATE "
                    + chunkTable
                    + " SET owner_id = ?, worker = ?, lease_until = ? WHERE migration_id = ? AND"
                    + " chunk_no = ?",
                owner,
                worker,
                now + leaseMillis,
                id,
                c.chunkNo());
            return Optional.of(
                new BackfillChunk(
                    id,
                    c.chunkNo(),
                    c.lowerKey(),
                    c.upperKey(),
                    c.cursorKey(),
                    false,
                    c.rowsDone(),
                    owner,
                    worker,
                    now + leaseMillis));
          });
    } catch (SQLException e) {
      throw failure("claim a chunk of " + id, e);
    }
  }

  /**
   * Cuts the chunks of the run the caller read (state {@code version}) unless they exist: under the
   * migration row's lock, so concurrent workers cut once, and never for a run that ended meanwhile.
   *
   * @return false if the state changed since it was read; the caller re-reads it
   */
  public boolean cutIfAbsent(String id, long version, Cutter cutter) {
    try {
      return Jdbc.inTransaction(
          dataSource,
          connection -> {
            List<Long> locked =
                Jdbc.query(
                    connection,
                    "SELECT version FROM "
                        + migrationTable
                        + " WHERE migration_id = ?"
                        + dialect.lockRows(),
                    rs -> rs.getLong(1),
                    id);
            if (locked.size() != 1 || locked.get(0) != version) {
              return false;
            }
            long existing =
                Jdbc.query(
                        connection,
                        "SELECT COUNT(*) FROM " + chunkTable + " WHERE migration_id = ?",
                        rs -> rs.getLong(1),
                        id)
                    .get(0);
            if (existing == 0) {
              insert(connection, id, cutter.upperKeys(connection));
            }
            return true;
          });
    } catch (SQLException e) {
      throw failure("cut the chunks of " + id, e);
    }
  }

  private void insert(Connection connection, String id, List<String> upperKeys)
      throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement(
            "INSERT INTO "
                + chunkTable
                + " (migration_id, chunk_no, lower_key, upper_key, done, rows_done) VALUES (?, ?,"
                + " ?, ?, 0, 0)")) {
      String lower = null;
      for (int i = 0; i < upperKeys.size(); i++) {
        insert.setString(1, id);
        insert.setInt(2, i);
        setNullable(insert, 3, lower);
        setNullable(insert, 4, upperKeys.get(i));
        insert.addBatch();
        lower = upperKeys.get(i);
      }
      insert.executeBatch();
    }
  }

  /** Extends every lease {@code owner} holds: the heartbeat that keeps a live owner's chunks. */
  public void renew(String owner, long leaseMillis) {
    try {
      Jdbc.inTransaction(
          dataSource,
          connection ->
              Jdbc.update(
                  connection,
                  "UPDATE " + chunkTable + " SET lease_until = ? WHERE owner_id = ? AND done = 0",
                  clock.millis() + leaseMillis,
                  owner));
    } catch (SQLException e) {
      throw failure("renew the chunk leases of " + owner, e);
    }
  }

  /**
   * Moves a chunk's checkpoint inside the batch's own transaction and renews its lease; fails
   * (false) when the worker lost the lease meanwhile: the batch must then roll back.
   */
  public boolean checkpoint(
      Connection batch,
      BackfillChunk chunk,
      String cursor,
      long rows,
      boolean done,
      long leaseMillis)
      throws SQLException {
    return Jdbc.update(
            batch,
            "UPDATE "
                + chunkTable
                + " SET cursor_key = ?, rows_done = rows_done + ?, done = ?, lease_until = ? WHERE"
                + " migration_id = ? AND chunk_no = ? AND owner_id = ? AND worker = ? AND done = 0",
            cursor,
            rows,
            done ? 1 : 0,
            clock.millis() + leaseMillis,
            chunk.migrationId(),
            chunk.chunkNo(),
            chunk.owner(),
            chunk.worker())
        == 1;
  }

  /**
   * The key below which every chunk is done (its migration-wide cursor), as an expression over the
   * migration row: the resume point of the first unfinished chunk, or the bound parameter when none
   * is left.
   */
  String doneUpTo() {
    String unfinished =
        " FROM "
            + chunkTable
            + " ec_c WHERE ec_c.migration_id = "
            + migrationTable
            + ".migration_id AND ec_c.done = 0";
    return "CASE WHEN EXISTS (SELECT 1"
        + unfinished
        + ") THEN (SELECT COALESCE(ec_c.cursor_key, ec_c.lower_key)"
        + unfinished
        + " ORDER BY ec_c.chunk_no LIMIT 1) ELSE ? END";
  }

  /** Forgets a run's chunks, inside the transition that starts or drops the run. */
  void deleteAll(Connection connection, String id) throws SQLException {
    Jdbc.update(connection, "DELETE FROM " + chunkTable + " WHERE migration_id = ?", id);
  }

  /** The condition, on the migration row, that its run was cut and every chunk of it is done. */
  String everyChunkDone() {
    String ofThisMigration = " ec_c WHERE ec_c.migration_id = " + migrationTable + ".migration_id";
    return "EXISTS (SELECT 1 FROM "
        + chunkTable
        + ofThisMigration
        + ") AND NOT EXISTS (SELECT 1 FROM "
        + chunkTable
        + ofThisMigration
        + " AND ec_c.done = 0)";
  }

  private static void setNullable(PreparedStatement statement, int index, String value)
      throws SQLException {
    if (value == null) {
      statement.setNull(index, Types.VARCHAR);
    } else {
      statement.setString(index, value);
    }
  }

  private static BackfillChunk chunk(ResultSet rs) throws SQLException {
    long worker = rs.getLong("worker");
    boolean noWorker = rs.wasNull();
    return new BackfillChunk(
        rs.getString("migration_id"),
        rs.getInt("chunk_no"),
        rs.getString("lower_key"),
        rs.getString("upper_key"),
        rs.getString("cursor_key"),
        rs.getInt("done") == 1,
        rs.getLong("rows_done"),
        rs.getString("owner_id"),
        noWorker ? null : (int) worker,
        nullableLong(rs, "lease_until"));
  }

  private static IllegalStateException failure(String what, SQLException e) {
    return new IllegalStateException("expand-contract chunk store: cannot " + what, e);
  }
}
