package dev.expandcontract.core.access;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.sql.MigrationSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The application's reads and writes of one migration's columns, on the caller's connection and so
 * inside the caller's transaction. Values are in mapping order; keys are the old table's keys.
 * Writes always touch the old row before the new one, the order the backfill locks them in.
 */
public final class MigratedRows {

  private final MigrationSql sql;
  private final ExpandContractListener listener;
  private final OperationObserver observer;
  private final boolean javaTwins;
  private final MappedValues mapped;

  public MigratedRows(
      MigrationSql sql, ExpandContractListener listener, OperationObserver observer) {
    this.sql = sql;
    this.listener = listener;
    this.observer = observer;
    this.mapped = new MappedValues(sql.migration());
    this.javaTwins =
        sql.migration().columns().stream().allMatch(c -> c.javaTransform().isPresent());
  }

  /** The migration whose columns these are. */
  public Migration migration() {
    return sql.migration();
  }

  /** Its tables and columns as the live schema spells and types them. */
  public MigrationSchema schema() {
    return sql.schema();
  }

  /** Whether both migrations read their old values from the same old row (same table and key). */
  public boolean sharesOldRowWith(MigratedRows other) {
    return sql.sharesOldRowWith(other.sql);
  }

  /** Values read from old, in the form asked for, by key; keys without a row are absent. */
  public Map<Object, List<Object>> readOld(
      Connection connection, Collection<?> keys, ValueForm form) throws SQLException {
    return read(connection, keys, count -> sql.selectOld(count, form), 0);
  }

  /**
   * Values read from old (each migration in its form) of several migrations that share their old
   * row, in one statement per chunk of keys: by migration id, then by key (keys without a row are
   * absent).
   */
  public static Map<String, Map<Object, List<Object>>> readOld(
      Connection connection,
      List<MigratedRows> sharingOldRow,
      List<ValueForm> forms,
      Collection<?> keys)
      throws SQLException {
    List<MigrationSql> sqls = sharingOldRow.stream().map(rows -> rows.sql).toList();
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
        KeyedRows.read(
            connection,
            keys,
            sqls.get(0).keyType(),
            count -> MigrationSql.selectOld(sqls, forms, count),
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

  /**
   * Values read from new, in the form asked for, by key; keys without a new row are absent. Old
   * form: the reverse Java twin or the SQL reverse of each new value where one is declared (else
   * the new value, which read-new proved the transform maps to itself).
   */
  public Map<Object, List<Object>> readNew(
      Connection connection, Collection<?> keys, ValueForm form) throws SQLException {
    Map<Object, List<Object>> rows = read(connection, keys, count -> sql.selectNew(count, form), 0);
    if (form == ValueForm.OLD) {
      rows.values().forEach(mapped::reverseTwins);
    }
    return rows;
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
   * schema is written, else to new only. Values in old form are the old columns' values; new values
   * come from the Java twins (then a column migration needs one statement) or the SQL transforms.
   * Values in new form are the new columns' values; old ones come from the reverse twins or the SQL
   * reverse transforms.
   */
  public void write(
      Connection connection, Object key, List<?> values, ValueForm form, boolean writeOld)
      throws SQLException {
    observer.observe(
        OperationObserver.Operation.DUAL_WRITE,
        sql.migration().id(),
        () -> {
          writeObserved(connection, key, values, form, writeOld);
          return null;
        });
  }

  private void writeObserved(
      Connection connection, Object key, List<?> values, ValueForm form, boolean writeOld)
      throws SQLException {
    long started = System.nanoTime();
    requireArity(values);
    Object boundKey = sql.keyType().coerce(key);
    if (form == ValueForm.NEW) {
      writeNewForm(connection, boundKey, values, writeOld);
    } else if (!writeOld) {
      writeNew(connection, boundKey, sql.writeNewComputed(), mapped.newValueParams(values));
    } else if (javaTwins && sql.migration().kind() == MigrationKind.COLUMN) {
      List<Object> params = new ArrayList<>(values);
      params.addAll(mapped.transformed(values));
      params.add(boundKey);
      Jdbc.update(connection, sql.updateOldAndNew(), params.toArray());
    } else {
      List<Object> params = new ArrayList<>(values);
      params.add(boundKey);
      Jdbc.update(connection, sql.updateOld(), params.toArray());
      if (javaTwins) {
        writeNew(connection, boundKey, sql.writeNew(), mapped.transformed(values));
      } else {
        Jdbc.update(connection, sql.copyKey(), boundKey);
      }
    }
    listener.dualWrite(sql.migration().id(), Duration.ofNanos(System.nanoTime() - started));
  }

  private void writeNewForm(Connection connection, Object key, List<?> values, boolean writeOld)
      throws SQLException {
    boolean columnMigration = sql.migration().kind() == MigrationKind.COLUMN;
    if (writeOld) {
      List<Object> params = mapped.oldValueParams(values);
      if (columnMigration) {
        params.addAll(values); // the same statement sets the new values
      }
      params.add(key);
      Jdbc.update(connection, sql.updateOldComputed(), params.toArray());
      if (columnMigration) {
        return;
      }
    }
    writeNew(connection, key, sql.writeNew(), new ArrayList<>(values));
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

  /** Runs one of the new-value writes: column migrations values then key, tables key first. */
  private void writeNew(Connection connection, Object key, String statement, List<Object> params)
      throws SQLException {
    List<Object> all = new ArrayList<>();
    if (sql.migration().kind() == MigrationKind.COLUMN) {
      all.addAll(params);
      all.add(key);
    } else {
      all.add(key);
      all.addAll(params);
    }
    Jdbc.update(connection, statement, all.toArray());
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

  private Map<Object, List<Object>> read(
      Connection connection, Collection<?> keys, KeyedRows.Query query, int extraColumns)
      throws SQLException {
    return KeyedRows.read(
        connection, keys, sql.keyType(), query, sql.migration().columns().size() + extraColumns);
  }
}
