package dev.expandcontract.core.sql;

import java.util.List;

/**
 * A migration's tables and columns as the database spells them, resolved from live metadata.
 *
 * @param oldColumns the old column of each mapping, in mapping order
 * @param newColumns the new column of each mapping, in mapping order
 * @param newColumnComparisons for each new column, how its value is compared with the transform's:
 *     text exactly, whatever its collation ignores
 */
public record MigrationSchema(
    String oldTable,
    String oldKey,
    String newTable,
    String newKey,
    List<String> oldColumns,
    List<String> newColumns,
    List<ValueComparison> newColumnComparisons,
    KeyType keyType) {

  public MigrationSchema {
    oldColumns = List.copyOf(oldColumns);
    newColumns = List.copyOf(newColumns);
    newColumnComparisons = List.copyOf(newColumnComparisons);
    if (newColumnComparisons.size() != newColumns.size()) {
      throw new IllegalArgumentException("one comparison per new column is needed");
    }
  }
}
