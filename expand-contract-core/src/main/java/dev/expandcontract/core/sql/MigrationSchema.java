package dev.expandcontract.core.sql;

import java.util.List;

/**
 * A migration's tables and columns as the database spells them, resolved from live metadata.
 *
 * @param oldColumns the old column of each mapping, in mapping order
 * @param newColumns the new column of each mapping, in mapping order
 * @param newColumnsHoldText for each new column, whether it holds variable-length text, which some
 *     collations compare ignoring case and trailing spaces
 */
public record MigrationSchema(
    String oldTable,
    String oldKey,
    String newTable,
    String newKey,
    List<String> oldColumns,
    List<String> newColumns,
    List<Boolean> newColumnsHoldText,
    KeyType keyType) {

  public MigrationSchema {
    oldColumns = List.copyOf(oldColumns);
    newColumns = List.copyOf(newColumns);
    newColumnsHoldText = List.copyOf(newColumnsHoldText);
    if (newColumnsHoldText.size() != newColumns.size()) {
      throw new IllegalArgumentException("one text flag per new column is needed");
    }
  }
}
