package dev.expandcontract.core.migration;

/** The two first-class kinds of expand-contract migration. */
public enum MigrationKind {
  /** Old column(s) to new column(s) of the same table. */
  COLUMN,
  /** Old table to new table, keyed by the same value. */
  TABLE
}
