package dev.expandcontract.core.access;

import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.migration.ValueForm;
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
import java.util.Collections;
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
  private final OperationObserver observer;
  private final boolean javaTwins;

  public MigratedRows(
      MigrationSql sql, ExpandContractListener listener, OperationObserver observer) {
    this.sql = sql;
    this.listener = listener;
    this.observer = observer;
    this.javaTwins =
        sql.migration().columns().stream().allMatch(c -> c.javaTransform().isPresent());
  }

  public MigrationSql sql() {
    return sql;
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
      List<ColumnMapping> columns = sql.migration().columns();
      for (List<Object> values : rows.values()) {
        for (int i = 0; i < columns.size(); i++) {
          Optional<UnaryOperator<Object>> twin = columns.get(i).reverseJavaTransform();
          if (twin.isPresent()) {
            values.set(i, twin.get().apply(values.get(i)));
          }
        }
      }
    }
    return rows;
  }

  /**
   * Proves, before reads first come from new, that a value read from new can be handed to a field
   * typed for the old column: each mapping without a reverse must have a transform that maps the
   * newest rows' new values to themselves (the identity, {@code lower(trim(email))}), or a save
   * would write the new value to old and transform it again. Returns the problem, naming the
   * column; empty when there is none.
   */
  public Optional<String> oldFormReadProblem(Connection connection, int sampleRows)
      throws SQLException {
    List<ColumnMapping> columns = sql.migration().columns();
    Map<Object, List<Object>> sample = sample(connection, sql.sampleNew(), sampleRows);
    for (int i = 0; i < columns.size(); i++) {
      ColumnMapping mapping = columns.get(i);
      if (mapping.reverseJavaTransform().isPresent() || mapping.reverseTransform().isPresent()) {
        continue;
      }
      List<Object> differing = new ArrayList<>();
      String problem = null;
      try {
        for (Map.Entry<Object, List<Object>> row : sample.entrySet()) {
          if (computedDiffers(connection, i, row.getValue(), row.getKey())) {
            differing.add(row.getKey());
          }
        }
      } catch (SQLException e) {
        problem = "cannot be evaluated on its own values (" + e.getMessage() + ")";
      }
      if (problem != null || !differing.isEmpty()) {
        return Optional.of(
            "new column '"
                + mapping.newColumn()
                + "' has no reverse, and its transform '"
                + mapping.transform()
                + "' "
                + (problem != null
                    ? problem
                    : "does not map its values to themselves (keys " + differing + ")")
                + ": an entity field typed for old column '"
                + mapping.oldColumn()
                + "' read from new could not be saved back; declare a reverse (reverseJava on the"
                + " bean, 'reverse' in configuration)");
      }
    }
    return Optional.empty();
  }

  /** Key and values of the sampled rows; the key comes first in the statement. */
  private Map<Object, List<Object>> sample(Connection connection, String statementSql, int rows)
      throws SQLException {
    Map<Object, List<Object>> sample = new LinkedHashMap<>();
    try (PreparedStatement statement = connection.prepareStatement(statementSql)) {
      statement.setInt(1, rows);
      collect(statement, sql.keyType(), sql.migration().columns().size(), sample);
    }
    return sample;
  }

  /** Whether transform {@code i}, computed from these values, differs from the key's new value. */
  private boolean computedDiffers(Connection connection, int i, List<Object> values, Object key)
      throws SQLException {
    List<Object> params = new ArrayList<>(values);
    params.add(key);
    try (PreparedStatement statement =
            Jdbc.prepare(connection, sql.computedNewDiffers(i), params.toArray());
        ResultSet rs = statement.executeQuery()) {
      return rs.next() && rs.getInt(1) == 1;
    }
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
      writeNew(connection, boundKey, sql.writeNewComputed(), newValueParams(values));
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
        writeNew(connection, boundKey, sql.writeNew(), transformed(values));
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
      List<Object> params = oldValueParams(values);
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
   * Parameters of {@link MigrationSql#writeNewComputed}'s new values: a twin's result, or every old
   * value for the SQL transform to compute it from.
   */
  private List<Object> newValueParams(List<?> values) {
    List<Object> params = new ArrayList<>();
    List<ColumnMapping> columns = sql.migration().columns();
    for (int i = 0; i < columns.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).javaTransform();
      if (twin.isPresent()) {
        params.add(twin.get().apply(values.get(i)));
      } else {
        params.addAll(values);
      }
    }
    return params;
  }

  /** Parameters of {@link MigrationSql#updateOldComputed}'s old values, likewise in reverse. */
  private List<Object> oldValueParams(List<?> values) {
    List<Object> params = new ArrayList<>();
    List<ColumnMapping> columns = sql.migration().columns();
    for (int i = 0; i < columns.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).reverseJavaTransform();
      if (twin.isPresent()) {
        params.add(twin.get().apply(values.get(i)));
      } else if (columns.get(i).reverseTransform().isPresent()) {
        params.addAll(values);
      } else {
        throw new IllegalStateException(
            "migration '"
                + sql.migration().id()
                + "' declares no reverse for old column '"
                + columns.get(i).oldColumn()
                + "': values of its new column cannot be written to the old one");
      }
    }
    return params;
  }

  /**
   * Proves, before writes to the old schema stop, that new-only writes compute what the backfill
   * wrote: each mapping without a Java twin evaluates its SQL transform on values, not on a row, so
   * it must compile that way and agree with the new schema on the newest rows. Returns the problem,
   * naming the column; empty when there is none.
   */
  public Optional<String> newOnlyWriteProblem(Connection connection, int sampleRows)
      throws SQLException {
    List<ColumnMapping> columns = sql.migration().columns();
    Map<Object, List<Object>> sample = sample(connection, sql.sampleOld(), sampleRows);
    List<Object> nulls = new ArrayList<>(Collections.nCopies(columns.size(), null));
    for (int i = 0; i < columns.size(); i++) {
      if (columns.get(i).javaTransform().isPresent()) {
        continue;
      }
      List<Object> differing = new ArrayList<>();
      try {
        // On NULLs too, so that it compiles and runs even when the table is empty.
        computedDiffers(connection, i, nulls, sql.keyType().sample());
        for (Map.Entry<Object, List<Object>> row : sample.entrySet()) {
          if (computedDiffers(connection, i, row.getValue(), row.getKey())) {
            differing.add(row.getKey());
          }
        }
      } catch (SQLException e) {
        return Optional.of(
            "new column '"
                + columns.get(i).newColumn()
                + "' has no Java twin, and its transform '"
                + columns.get(i).transform()
                + "' cannot compute it from the application's value (new-only writes evaluate"
                + " it on the migration's own columns, not on the row): "
                + e.getMessage());
      }
      if (!differing.isEmpty()) {
        return Optional.of(
            "new column '"
                + columns.get(i).newColumn()
                + "' has no Java twin, and its transform '"
                + columns.get(i).transform()
                + "' evaluated on the application's values differs from what the new schema holds"
                + " for keys "
                + differing
                + " (does it read columns the migration does not map?)");
      }
    }
    return Optional.empty();
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
        collect(statement, keyType, width, rows);
      }
    }
    return rows;
  }

  /** Runs a query whose rows are a key and {@code width} values, into {@code rows} by key. */
  private static void collect(
      PreparedStatement statement, KeyType keyType, int width, Map<Object, List<Object>> rows)
      throws SQLException {
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
