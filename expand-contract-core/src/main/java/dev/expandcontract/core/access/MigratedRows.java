package dev.expandcontract.core.access;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.sql.Jdbc;
import dev.expandcontract.core.sql.KeyType;
import dev.expandcontract.core.sql.MigrationSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * The application's reads and writes of one migration's columns, on the caller's connection and so
 * inside the caller's transaction. Values are in mapping order; keys are the old table's keys.
 * Writes always touch the old row before the new one, the order the backfill locks them in.
 */
public final class MigratedRows {

  /** Keys per IN list; larger reads are split. */
  static final int CHUNK = 100;

  private final MigrationSql sql;
  private final ExpandContractListener listener;
  private final boolean javaTwins;

  public MigratedRows(MigrationSql sql, ExpandContractListener listener) {
    this.sql = sql;
    this.listener = listener;
    this.javaTwins =
        sql.migration().columns().stream().allMatch(c -> c.javaTransform().isPresent());
  }

  public MigrationSql sql() {
    return sql;
  }

  /** Old values by key; keys without a row are absent. */
  public Map<Object, List<Object>> readOld(Connection connection, Collection<?> keys)
      throws SQLException {
    return read(connection, keys, sql::selectOld, 0);
  }

  /**
   * Old values of several migrations that share their old row, in one statement per chunk of keys:
   * by migration id, then by key (keys without a row are absent).
   */
  public static Map<String, Map<Object, List<Object>>> readOld(
      Connection connection, List<MigratedRows> sharingOldRow, Collection<?> keys)
      throws SQLException {
    List<MigrationSql> sqls = sharingOldRow.stream().map(MigratedRows::sql).toList();
    for (MigrationSql other : sqls) {
      if (!sqls.get(0).sharesOldRowWith(other)) {
        throw new IllegalArgumentException(
            other.migration().id()
                + " does not share its old row with "
                + sqls.get(0).migration().id());
      }
    }
    int width = sqls.stream().mapToInt(sql -> sql.migration().columns().size()).sum();
    Map<Object, List<Object>> rows =
        read(
            connection,
            keys,
            sqls.get(0).keyType(),
            count -> MigrationSql.selectOld(sqls, count),
            width);
    Map<String, Map<Object, List<Object>>> byMigration = new LinkedHashMap<>();
    int from = 0;
    for (MigrationSql sql : sqls) {
      int to = from + sql.migration().columns().size();
      Map<Object, List<Object>> values = new LinkedHashMap<>();
      int start = from;
      rows.forEach((key, row) -> values.put(key, new ArrayList<>(row.subList(start, to))));
      byMigration.put(sql.migration().id(), values);
      from = to;
    }
    return byMigration;
  }

  /** New values by key; keys without a new row are absent. */
  public Map<Object, List<Object>> readNew(Connection connection, Collection<?> keys)
      throws SQLException {
    return read(connection, keys, sql::selectNew, 0);
  }

  /**
   * Old values by key, from the same statement that compares new with transform(old); reports each
   * mismatching key to the listener.
   */
  public Map<Object, List<Object>> readOldComparingNew(Connection connection, Collection<?> keys)
      throws SQLException {
    Map<Object, List<Object>> rows = read(connection, keys, sql::selectShadow, 1);
    Map<Object, List<Object>> values = new LinkedHashMap<>();
    rows.forEach(
        (key, row) -> {
          Object mismatch = row.get(row.size() - 1);
          if (mismatch != null && ((Number) mismatch).intValue() == 1) {
            listener.shadowMismatch(sql.migration().id(), key);
          }
          values.put(key, row.subList(0, row.size() - 1));
        });
    return values;
  }

  /**
   * Writes an entity's values after the application wrote its row: to old and new while the old
   * schema is written, else to new only. With Java twins a column migration needs one statement.
   */
  public void write(Connection connection, Object key, List<?> values, boolean writeOld)
      throws SQLException {
    long started = System.nanoTime();
    requireArity(values);
    Object boundKey = sql.keyType().coerce(key);
    if (!writeOld) {
      writeNew(connection, boundKey, transformed(values));
    } else if (javaTwins && sql.migration().kind() == MigrationKind.COLUMN) {
      List<Object> params = new ArrayList<>(values);
      params.addAll(transformed(values));
      params.add(boundKey);
      Jdbc.update(connection, sql.updateOldAndNew(), params.toArray());
    } else {
      List<Object> params = new ArrayList<>(values);
      params.add(boundKey);
      Jdbc.update(connection, sql.updateOld(), params.toArray());
      if (javaTwins) {
        writeNew(connection, boundKey, transformed(values));
      } else {
        Jdbc.update(connection, sql.copyKey(), boundKey);
      }
    }
    listener.dualWrite(sql.migration().id(), Duration.ofNanos(System.nanoTime() - started));
  }

  /**
   * True when the new schema has rows of its own (a table migration): deleting an entity must then
   * delete its new row, by exactly the keys the application deleted.
   */
  public boolean hasNewRows() {
    return sql.migration().kind() == MigrationKind.TABLE;
  }

  /** Removes the key's new row after the application deleted the old one (table migrations). */
  public void delete(Connection connection, Object key) throws SQLException {
    delete(connection, List.of(key));
  }

  /**
   * Removes the new rows of exactly these keys after the application deleted their old rows (table
   * migrations); never a range or the whole table, so a row inserted meanwhile keeps its new row.
   */
  public void delete(Connection connection, Collection<?> keys) throws SQLException {
    if (!hasNewRows() || keys.isEmpty()) {
      return;
    }
    try (PreparedStatement statement = connection.prepareStatement(sql.deleteNewKey())) {
      for (Object key : keys) {
        sql.keyType().bind(statement, 1, key);
        statement.addBatch();
      }
      statement.executeBatch();
    }
  }

  private void writeNew(Connection connection, Object key, List<Object> newValues)
      throws SQLException {
    List<Object> params = new ArrayList<>();
    if (sql.migration().kind() == MigrationKind.COLUMN) {
      params.addAll(newValues);
      params.add(key);
    } else {
      params.add(key);
      params.addAll(newValues);
    }
    Jdbc.update(connection, sql.writeNew(), params.toArray());
  }

  /** New values from old ones through the Java twins; a value without a twin stays as it is. */
  private List<Object> transformed(List<?> values) {
    List<ColumnMapping> columns = sql.migration().columns();
    List<Object> result = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).javaTransform();
      result.add(twin.isPresent() ? twin.get().apply(values.get(i)) : values.get(i));
    }
    return result;
  }

  private void requireArity(List<?> values) {
    int expected = sql.migration().columns().size();
    if (values.size() != expected) {
      throw new IllegalArgumentException(
          "migration '"
              + sql.migration().id()
              + "' maps "
              + expected
              + " columns, got "
              + values.size()
              + " values");
    }
  }

  private interface Query {
    String forKeys(int count);
  }

  private Map<Object, List<Object>> read(
      Connection connection, Collection<?> keys, Query query, int extraColumns)
      throws SQLException {
    return read(
        connection, keys, sql.keyType(), query, sql.migration().columns().size() + extraColumns);
  }

  private static Map<Object, List<Object>> read(
      Connection connection, Collection<?> keys, KeyType keyType, Query query, int width)
      throws SQLException {
    Map<Object, List<Object>> rows = new LinkedHashMap<>();
    List<?> all = List.copyOf(keys);
    for (int from = 0; from < all.size(); from += CHUNK) {
      List<?> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
      try (PreparedStatement statement = connection.prepareStatement(query.forKeys(chunk.size()))) {
        for (int i = 0; i < chunk.size(); i++) {
          keyType.bind(statement, i + 1, chunk.get(i));
        }
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            List<Object> values = new ArrayList<>(width);
            for (int c = 0; c < width; c++) {
              values.add(rs.getObject(c + 2));
            }
            rows.put(keyType.read(rs, 1), values);
          }
        }
      }
    }
    return rows;
  }
}
