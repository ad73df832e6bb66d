package dev.expandcontract.core.sql;

import java.util.List;

/**
 * A migration's tables and columns as the database spells them, resolved from live metadata.
 *
 * @param oldColumns the old column of each mapping, in mapping order
 * @param newColumns the new column of each mapping, in mapping order
 * @param newColumnComparisons for each new column, how its value is compared with the transform's:
 *     text exactly, whatever its collation ignores
 * @param oldColumnTypes the type of each old column; empty once the contract began (it may be gone)
 * @param newColumnTypes the type of each new column
 */
public record MigrationSchema(
    String oldTable,
    String oldKey,
    String newTable,
    String newKey,
    List<String> oldColumns,
    List<String> newColumns,
    List<ValueComparison> newColumnComparisons,
    List<ColumnType> oldColumnTypes,
    List<ColumnType> newColumnTypes,
    KeyType keyType) {

  public MigrationSchema {
    oldColumns = List.copyOf(oldColumns);
    newColumns = List.copyOf(newColumns);
    newColumnComparisons = List.copyOf(newColumnComparisons);
    oldColumnTypes = List.copyOf(oldColumnTypes);
    newColumnTypes = List.copyOf(newColumnTypes);
    if (newColumnComparisons.size() != newColumns.size()) {
      throw new IllegalArgumentException("one comparison per new column is needed");
    }
    if (newColumnTypes.size() != newColumns.size()
        || !(oldColumnTypes.isEmpty() || oldColumnTypes.size() == oldColumns.size())) {
      throw new IllegalArgumentException("one type per column is needed");
    }
  }
}
