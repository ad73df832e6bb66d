package dev.expandcontract.core.internal.store;

import dev.expandcontract.core.internal.sql.Jdbc;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The backfill settings an operator changed with {@code tune}, per migration (those that differ
 * from the declaration): written in the same transaction as the transition that records the change,
 * read by every instance's backfill when the state's version moved.
 */
public final class BackfillTunings {

  private final DataSource dataSource;
  private final String table;

  BackfillTunings(DataSource dataSource, String tablePrefix) {
    this.dataSource = dataSource;
    this.table = tablePrefix + "tuning";
  }

  /** The overrides in effect, by setting name; empty when none. */
  public Map<String, String> load(String id) {
    try (Connection connection = dataSource.getConnection()) {
      Map<String, String> overrides = new LinkedHashMap<>();
      Jdbc.query(
              connection,
              "SELECT setting, setting_value FROM " + table + " WHERE migration_id = ?",
              rs -> Map.entry(rs.getString(1), rs.getString(2)),
              id)
          .forEach(e -> overrides.put(e.getKey(), e.getValue()));
      return overrides;
    } catch (SQLException e) {
      throw new IllegalStateException(
          "cannot read the backfill tuning of " + id + ": " + e.getMessage(), e);
    }
  }

  /** Replaces the migration's overrides with {@code overrides}, in the tune's transaction. */
  void replace(Connection transaction, String id, Map<String, String> overrides)
      throws SQLException {
    Jdbc.update(transaction, "DELETE FROM " + table + " WHERE migration_id = ?", id);
    for (Map.Entry<String, String> setting : overrides.entrySet()) {
      Jdbc.update(
          transaction,
          "INSERT INTO " + table + " (migration_id, setting, setting_value) VALUES (?, ?, ?)",
          id,
          setting.getKey(),
          setting.getValue());
    }
  }
}
