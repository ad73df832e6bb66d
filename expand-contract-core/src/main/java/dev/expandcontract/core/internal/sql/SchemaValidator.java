package dev.expandcontract.core.internal.sql;

import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.sql.ColumnType;
import dev.expandcontract.core.sql.KeyType;
import dev.expandcontract.core.sql.MigrationSchema;
import dev.expandcontract.core.sql.SqlDialect;
import dev.expandcontract.core.sql.ValueComparison;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a migration against the live schema at start-up and resolves every name to the spelling
 * the database stores. Each failure names the migration, the property and the object.
 */
public final class SchemaValidator {

  private final SqlDialect dialect;

  public SchemaValidator(SqlDialect dialect) {
    this.dialect = dialect;
  }

  /** Validates the migration and returns its statements, or throws with one clear message. */
  public MigrationSql validate(Connection connection, Migration migration) {
    try {
      return doValidate(connection, migration);
    } catch (SQLException e) {
      throw new InvalidMigrationException(
          "migration '" + migration.id() + "': cannot read the schema: " + e.getMessage(), e);
    }
  }

  /**
   * Validates a migration whose contract began (its stored phase is CONTRACTING or CONTRACTED)
   * against the new schema alone: the old one may be gone, and nothing reads or writes it any more.
   * The release that ran the contract therefore keeps starting until a later one removes the
   * declaration. The old columns' names and types are the ones recorded while they existed, if any
   * (else the names as declared and no types).
   */
  public MigrationSql validateContracted(
      Connection connection,
      Migration migration,
      List<String> recordedOldNames,
      List<ColumnType> recordedOldTypes) {
    try {
      checkIdentifiers(migration);
      DatabaseMetaData meta = connection.getMetaData();
      Tables tables = new Tables(meta, connection.getCatalog(), connection.getSchema());
      String newTable = tables.resolve(migration.id(), "new table", migration.newTable());
      Map<String, Column> newColumns = tables.columns(newTable);
      Column newKey = column(migration, "new key", newTable, newColumns, migration.newKey());
      KeyType keyType = KeyType.of(newKey.type());
      if (keyType == null) {
        throw invalid(
            migration,
            "new key '"
                + newTable
                + "."
                + newKey.name()
                + "' has type "
                + newKey.type().declared()
                + ", which the library cannot use as a key");
      }
      List<String> resolvedNew = new ArrayList<>();
      List<ValueComparison> comparisons = new ArrayList<>();
      List<ColumnType> types = new ArrayList<>();
      for (ColumnMapping mapping : migration.columns()) {
        Column column = column(migration, "new column", newTable, newColumns, mapping.newColumn());
        resolvedNew.add(column.name());
        comparisons.add(column.type().comparison());
        types.add(column.type());
      }
      boolean recorded = recordedOldTypes.size() == migration.columns().size();
      return new MigrationSql(
          migration,
          new MigrationSchema(
              migration.oldTable(),
              migration.oldKey(),
              newTable,
              newKey.name(),
              recorded
                  ? recordedOldNames
                  : migration.columns().stream().map(ColumnMapping::oldColumn).toList(),
              resolvedNew,
              comparisons,
              recorded ? recordedOldTypes : List.of(),
              types,
              keyType),
          dialect);
    } catch (SQLException e) {
      throw new InvalidMigrationException(
          "migration '" + migration.id() + "': cannot read the schema: " + e.getMessage(), e);
    }
  }

  private MigrationSql doValidate(Connection connection, Migration m) throws SQLException {
    checkIdentifiers(m);
    DatabaseMetaData meta = connection.getMetaData();
    Tables tables = new Tables(meta, connection.getCatalog(), connection.getSchema());
    String oldTable = tables.resolve(m.id(), "table", m.oldTable());
    String newTable = tables.resolve(m.id(), "new table", m.newTable());
    Map<String, Column> oldColumns = tables.columns(oldTable);
    Map<String, Column> newColumns = tables.columns(newTable);
    Column oldKey = column(m, "key", oldTable, oldColumns, m.oldKey());
    Column newKey = column(m, "new key", newTable, newColumns, m.newKey());
    KeyType keyType = KeyType.of(oldKey.type());
    if (keyType == null) {
      throw invalid(
          m,
          "key column '"
              + oldTable
              + "."
              + oldKey.name()
              + "' has type "
              + oldKey.type().declared()
              + "; a key must be an integer, NUMERIC/DECIMAL, text (CHAR, VARCHAR, TEXT), UUID"
              + " or BINARY(16) column");
    }
    if (m.kind() == MigrationKind.TABLE && KeyType.of(newKey.type()) != keyType) {
      throw invalid(
          m,
          "new key '"
              + newTable
              + "."
              + newKey.name()
              + "' has type "
              + newKey.type().declared()
              + ", which does not compare like key '"
              + oldTable
              + "."
              + oldKey.name()
              + "' of type "
              + oldKey.type().declared());
    }
    tables.requireUnique(m, "key", oldTable, oldKey.name());
    tables.requireUnique(m, "new key", newTable, newKey.name());
    List<String> resolvedOld = new ArrayList<>();
    List<String> resolvedNew = new ArrayList<>();
    List<ValueComparison> newComparisons = new ArrayList<>();
    List<ColumnType> oldTypes = new ArrayList<>();
    List<ColumnType> newTypes = new ArrayList<>();
    for (ColumnMapping mapping : m.columns()) {
      Column oldColumn = column(m, "column", oldTable, oldColumns, mapping.oldColumn());
      resolvedOld.add(oldColumn.name());
      oldTypes.add(oldColumn.type());
      Column newColumn = column(m, "new column", newTable, newColumns, mapping.newColumn());
      resolvedNew.add(newColumn.name());
      newComparisons.add(newColumn.type().comparison());
      newTypes.add(newColumn.type());
    }
    List<ColumnType> transformResults = new ArrayList<>();
    for (ColumnMapping mapping : m.columns()) {
      transformResults.add(
          compiles(
              connection,
              m,
              "transform of new column '" + mapping.newColumn() + "'",
              mapping.transform(),
              oldTable));
      if (mapping.reverseTransform().isPresent()) {
        compiles(
            connection,
            m,
            "reverse transform of old column '" + mapping.oldColumn() + "'",
            mapping.reverseTransform().get(),
            newTable);
      }
    }
    MigrationSql sql =
        new MigrationSql(
            m,
            new MigrationSchema(
                oldTable,
                oldKey.name(),
                newTable,
                newKey.name(),
                resolvedOld,
                resolvedNew,
                newComparisons,
                oldTypes,
                newTypes,
                keyType),
            dialect);
    copyCompiles(connection, m, sql);
    for (int i = 0; i < m.columns().size(); i++) {
      ColumnMapping mapping = m.columns().get(i);
      String column = newTable + "." + resolvedNew.get(i);
      Optional<String> problem =
          RoundTrip.problem(transformResults.get(i), newTypes.get(i), column, mapping.transform());
      if (problem.isPresent()) {
        throw invalid(m, "transform of new column '" + mapping.newColumn() + "' " + problem.get());
      }
    }
    return sql;
  }

  private void checkIdentifiers(Migration m) {
    check(m, "table", m.oldTable());
    check(m, "key", m.oldKey());
    check(m, "new table", m.newTable());
    check(m, "new key", m.newKey());
    Set<String> seen = new LinkedHashSet<>();
    for (ColumnMapping c : m.columns()) {
      check(m, "column", c.oldColumn());
      check(m, "new column", c.newColumn());
      if (!seen.add(c.newColumn().toLowerCase(Locale.ROOT))) {
        throw invalid(m, "new column '" + c.newColumn() + "' is mapped twice");
      }
      checkExpression(m, "transform of new column '" + c.newColumn() + "'", c.transform());
      if (c.reverseTransform().isPresent()) {
        checkExpression(
            m,
            "reverse transform of old column '" + c.oldColumn() + "'",
            c.reverseTransform().get());
      }
    }
  }

  /**
   * A transform is spliced into every copy statement, and into the probes below, which some drivers
   * (PostgreSQL's, H2's) split at ';' and run one after the other: one expression only.
   */
  private static void checkExpression(Migration m, String what, String expression) {
    if (expression.indexOf(';') >= 0) {
      throw invalid(
          m,
          what
              + " '"
              + expression
              + "' contains ';': a transform is a single SQL expression, not statements");
    }
  }

  private static void check(Migration m, String property, String identifier) {
    if (!SqlDialect.isValidIdentifier(identifier)) {
      throw invalid(
          m,
          property
              + " '"
              + identifier
              + "' is not a valid SQL identifier (letters, digits and _, at most 63)");
    }
  }

  /** Compiles the expression on no rows; returns the type of its result. */
  private ColumnType compiles(
      Connection connection, Migration m, String what, String expression, String table) {
    String probe = "SELECT (" + expression + ") FROM " + dialect.quote(table) + " WHERE 1 = 0";
    try (PreparedStatement statement = connection.prepareStatement(probe);
        ResultSet rs = statement.executeQuery()) {
      ResultSetMetaData result = rs.getMetaData();
      return new ColumnType(
          result.getColumnType(1),
          result.getColumnTypeName(1),
          result.getPrecision(1),
          result.getScale(1));
    } catch (SQLException e) {
      throw invalid(
          m, what + " '" + expression + "' does not compile on " + table + ": " + e.getMessage());
    }
  }

  /** Runs the full copy on an empty range and rolls back: types and constraints must fit. */
  private static void copyCompiles(Connection connection, Migration m, MigrationSql sql)
      throws SQLException {
    boolean autoCommit = connection.getAutoCommit();
    connection.setAutoCommit(false);
    try (PreparedStatement statement = connection.prepareStatement(sql.copyNothing())) {
      Object sample = sql.keyType().sample();
      sql.keyType().bind(statement, 1, sample);
      sql.keyType().bind(statement, 2, sample);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw invalid(m, "the backfill statement does not compile: " + e.getMessage());
    } finally {
      connection.rollback();
      connection.setAutoCommit(autoCommit);
    }
  }

  private static Column column(
      Migration m, String property, String table, Map<String, Column> columns, String name) {
    Column column = columns.get(name.toLowerCase(Locale.ROOT));
    if (column == null) {
      throw invalid(
          m, property + " '" + name + "' does not exist in table '" + table + "'" + hint(columns));
    }
    return column;
  }

  private static String hint(Map<String, Column> columns) {
    return " (it has: "
        + String.join(", ", columns.values().stream().map(Column::name).sorted().toList())
        + ")";
  }

  static InvalidMigrationException invalid(Migration m, String message) {
    return new InvalidMigrationException("migration '" + m.id() + "': " + message);
  }

  private record Column(String name, int jdbcType, String typeName, int size, Integer scale) {
    ColumnType type() {
      return new ColumnType(jdbcType, typeName, size, scale);
    }
  }

  /** Metadata look-ups within the connection's current catalog and schema. */
  private record Tables(DatabaseMetaData meta, String catalog, String schema) {

    String resolve(String id, String property, String table) throws SQLException {
      for (String candidate : List.of(table, table.toLowerCase(Locale.ROOT), upper(table))) {
        Optional<String> found = find(candidate);
        if (found.isPresent()) {
          return found.get();
        }
      }
      throw new InvalidMigrationException(
          "migration '"
              + id
              + "': "
              + property
              + " '"
              + table
              + "' does not exist"
              + (schema != null ? " in schema '" + schema + "'" : "")
              + (catalog != null ? " of database '" + catalog + "'" : ""));
    }

    private Optional<String> find(String table) throws SQLException {
      // '_' is a pattern wildcard in metadata calls, so compare the names we get back.
      try (ResultSet rs = meta.getTables(catalog, schema, table, new String[] {"TABLE"})) {
        while (rs.next()) {
          String name = rs.getString("TABLE_NAME");
          if (name.equals(table)) {
            return Optional.of(name);
          }
        }
      }
      return Optional.empty();
    }

    Map<String, Column> columns(String table) throws SQLException {
      Map<String, Column> columns = new HashMap<>();
      try (ResultSet rs = meta.getColumns(catalog, schema, table, null)) {
        while (rs.next()) {
          if (table.equals(rs.getString("TABLE_NAME"))) {
            String name = rs.getString("COLUMN_NAME");
            columns.put(
                name.toLowerCase(Locale.ROOT),
                new Column(
                    name,
                    rs.getInt("DATA_TYPE"),
                    rs.getString("TYPE_NAME"),
                    rs.getInt("COLUMN_SIZE"),
                    scale(rs)));
          }
        }
      }
      return columns;
    }

    private static Integer scale(ResultSet rs) throws SQLException {
      int scale = rs.getInt("DECIMAL_DIGITS");
      return rs.wasNull() ? null : scale;
    }

    void requireUnique(Migration m, String property, String table, String column)
        throws SQLException {
      if (isPrimaryKey(table, column) || hasUniqueIndex(table, column)) {
        return;
      }
      throw invalid(
          m,
          property
              + " '"
              + table
              + "."
              + column
              + "' is not unique: it needs a single-column primary key or unique index");
    }

    private boolean isPrimaryKey(String table, String column) throws SQLException {
      List<String> keyColumns = new ArrayList<>();
      try (ResultSet rs = meta.getPrimaryKeys(catalog, schema, table)) {
        while (rs.next()) {
          if (table.equals(rs.getString("TABLE_NAME"))) {
            keyColumns.add(rs.getString("COLUMN_NAME"));
          }
        }
      }
      return keyColumns.size() == 1 && keyColumns.get(0).equalsIgnoreCase(column);
    }

    private boolean hasUniqueIndex(String table, String column) throws SQLException {
      Map<String, List<String>> indexes = new HashMap<>();
      try (ResultSet rs = meta.getIndexInfo(catalog, schema, table, true, true)) {
        while (rs.next()) {
          String index = rs.getString("INDEX_NAME");
          String name = rs.getString("COLUMN_NAME");
          if (index != null && name != null && table.equals(rs.getString("TABLE_NAME"))) {
            indexes.computeIfAbsent(index, k -> new ArrayList<>()).add(name);
          }
        }
      }
      return indexes.values().stream()
          .anyMatch(cols -> cols.size() == 1 && cols.get(0).equalsIgnoreCase(column));
    }

    private static String upper(String s) {
      return s.toUpperCase(Locale.ROOT);
    }
  }
}
