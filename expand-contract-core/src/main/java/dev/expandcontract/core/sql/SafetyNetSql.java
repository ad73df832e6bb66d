package dev.expandcontract.core.sql;

import java.util.List;

/**
 * The parts of one migration's safety-net triggers that are the same on every database, quoted and
 * built by {@link MigrationSql#safetyNet}; a dialect wraps them in its trigger DDL.
 *
 * <p>Transforms are evaluated on a derived table made of the changed row ({@code (SELECT NEW.c AS
 * c, ...) ec_v}), so they read the row's columns by their own names, as in the backfill.
 *
 * @param name prefix of every trigger (and function) name, a valid unquoted identifier
 * @param oldTable the old table, quoted
 * @param oldTableName the old table as the catalog spells it, for the installed-check
 * @param oldKey the old table's key, quoted
 * @param table true for a table migration (AFTER triggers writing the new table), false for a
 *     column migration (BEFORE triggers setting the new columns of the row itself)
 * @param watched quoted old columns (and, for a table migration, the key) whose change fires the
 *     UPDATE trigger: an update that changes none of them (the application's new-only write) keeps
 *     the new values it wrote
 * @param newColumns column migrations: the quoted new columns, set from {@code newValues}
 * @param newValues column migrations: for each new column, its value as a scalar subquery
 * @param upsert table migrations: the upsert of the row's new row
 * @param deleteOldKey table migrations: deletes the new row of {@code OLD}'s key
 */
public record SafetyNetSql(
    String name,
    String oldTable,
    String oldTableName,
    String oldKey,
    boolean table,
    List<String> watched,
    List<String> newColumns,
    List<String> newValues,
    String upsert,
    String deleteOldKey) {

  public SafetyNetSql {
    watched = List.copyOf(watched);
    newColumns = List.copyOf(newColumns);
    newValues = List.copyOf(newValues);
  }

  /** The name of one of the net's objects, validated and quoted by the dialect. */
  public String object(SqlDialect dialect, String suffix) {
    return dialect.quote(name + "_" + suffix);
  }
}
