package dev.expandcontract.core.sql;

import java.util.List;

/**
 * A migration's tables and columns as the database spells them, resolved from live metadata.
 *
 * @param oldColumns the old column of each mapping, in mapping order
 * @param newColumns the new column of each mapping, in mapping order
 */
public record MigrationSchema(
    String oldTable,
    String oldKey,
    String newTable,
    String newKey,
    List<String> oldColumns,
    List<String> newColumns,
    KeyType keyType) {

  public MigrationSchema {
    oldColumns = List.copyOf(oldColumns);
    newColumns = List.copyOf(newColumns);
  }
}
