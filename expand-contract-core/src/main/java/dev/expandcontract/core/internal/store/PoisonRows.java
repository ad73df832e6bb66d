package dev.expandcontract.core.internal.store;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.store.PoisonRow;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import javax.sql.DataSource;

/**
 * Rows the backfill set aside because their transform fails (bad data: a cast that cannot parse, a
 * value too long for the new column), each with its key and the database's error, so that the rest
 * of the backfill completes and an operator can retry them after fixing the data.
 */
public final class PoisonRows {

  private final DataSource dataSource;
  private final Clock clock;
  private final String table;

  PoisonRows(DataSource dataSource, Clock clock, String tablePrefix) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.table = tablePrefix + "poison";
  }

  /** Records a row inside the batch that skips it, so the record and the skip commit together. */
  public void record(Connection batch, String id, String key, String error) throws SQLException {
    Jdbc.update(batch, "DELETE FROM " + table + " WHERE migration_id = ? AND row_key = ?", id, key);
    Jdbc.update(
        batch,
        "INSERT INTO " + table + " (migration_id, row_key, error, at_millis) VALUES (?, ?, ?, ?)",
        id,
        key,
        error == null ? "unknown error" : error.substring(0, Math.min(error.length(), 2000)),
        clock.millis());
  }

  public List<PoisonRow> all(String id) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
          connection,
          "SELECT migration_id, row_key, error, at_millis FROM "
              + table
              + " WHERE migration_id = ? ORDER BY at_millis, row_key",
          rs -> new PoisonRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)),
          id);
    } catch (SQLException e) {
      throw new IllegalStateException("expand-contract: cannot load the poison rows of " + id, e);
    }
  }

  public long count(String id) {
    try (Connection connection = dataSource.getConnection()) {
      return Jdbc.query(
              connection,
              "SELECT COUNT(*) FROM " + table + " WHERE migration_id = ?",
              rs -> rs.getLong(1),
              id)
          .get(0);
    } catch (SQLException e) {
      throw new IllegalStateException("expand-contract: cannot count the poison rows of " + id, e);
    }
  }

  /** Forgets a row that copied after all. */
  public void remove(Connection connection, String id, String key) throws SQLException {
    Jdbc.update(
        connection, "DELETE FROM " + table + " WHERE migration_id = ? AND row_key = ?", id, key);
  }

  /** Forgets a run's poison rows, inside the transition that starts or drops the run. */
  void deleteAll(Connection connection, String id) throws SQLException {
    Jdbc.update(connection, "DELETE FROM " + table + " WHERE migration_id = ?", id);
  }
}
