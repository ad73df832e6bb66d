package dev.expandcontract.core.sql;

import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Every statement one migration issues, built once from validated, quoted identifiers. Transforms
 * are configuration (SQL expressions) and are embedded as written; all values are bound.
 *
 * <p>Ranges are keyset ranges {@code key > ? AND key <= ?}; the first batch has no lower bound.
 */
public final class MigrationSql {

  private final Migration migration;
  private final MigrationSchema schema;
  private final SqlDialect dialect;
  private final String oldTable;
  private final String oldKey;
  private final String newTable;
  private final String newKey;
  private final List<String> oldColumns;
  private final List<String> newColumns;
  private final List<String> transforms;

  public MigrationSql(Migration migration, MigrationSchema schema, SqlDialect dialect) {
    this.migration = migration;
    this.schema = schema;
    this.dialect = dialect;
    this.oldTable = dialect.quote(schema.oldTable());
    this.oldKey = dialect.quote(schema.oldKey());
    this.newTable = dialect.quote(schema.newTable());
    this.newKey = dialect.quote(schema.newKey());
    this.oldColumns = schema.oldColumns().stream().map(dialect::quote).toList();
    this.newColumns = schema.newColumns().stream().map(dialect::quote).toList();
    this.transforms = migration.columns().stream().map(ColumnMapping::transform).toList();
  }

  public Migration migration() {
    return migration;
  }

  public MigrationSchema schema() {
    return schema;
  }

  public SqlDialect dialect() {
    return dialect;
  }

  public KeyType keyType() {
    return schema.keyType();
  }

  private boolean isColumnMigration() {
    return migration.kind() == MigrationKind.COLUMN;
  }

  // ---- keyset batching -------------------------------------------------------------------

  /** The key of the batch's last row: parameters (lower?), upper, batch size - 1. */
  public String batchEnd(boolean hasLower) {
    return "SELECT "
        + oldKey
        + " FROM "
        + oldTable
        + " WHERE "
        + range(oldKey, hasLower)
        + " ORDER BY "
        + oldKey
        + " LIMIT 1 OFFSET ?";
  }

  /** Rows of the old table in a range: parameters (lower?), upper. */
  public String countRange(boolean hasLower) {
    return "SELECT COUNT(*) FROM " + oldTable + " WHERE " + range(oldKey, hasLower);
  }

  /**
   * The highest old key; fixed when a backfill starts, so inserts cannot make it chase a tail.
   * {@code ORDER BY ... DESC LIMIT 1} rather than {@code MAX}: PostgreSQL has no {@code max(uuid)},
   * and the index answers it the same way for every key type.
   */
  public String maxOldKey() {
    return "SELECT " + oldKey + " FROM " + highestKey(oldTable, oldKey);
  }

  /** The highest key of old and new: extra rows of a table migration can lie above the old. */
  public String maxKeyOfBoth() {
    if (isColumnMigration()) {
      return maxOldKey();
    }
    return "SELECT ec_k FROM ((SELECT "
        + oldKey
        + " AS ec_k FROM "
        + highestKey(oldTable, oldKey)
        + ") UNION ALL (SELECT "
        + newKey
        + " FROM "
        + highestKey(newTable, newKey)
        + ")) ec_m ORDER BY ec_k DESC LIMIT 1";
  }

  /** A unique index admits NULL keys, which sort first in PostgreSQL's descending order. */
  private static String highestKey(String table, String key) {
    return table + " WHERE " + key + " IS NOT NULL ORDER BY " + key + " DESC LIMIT 1";
  }

  // ---- forward copy: new <- transform(old) ------------------------------------------------

  /**
   * Copies a key range set-based inside the database. Column migrations update the rows in place
   * (the UPDATE locks them); table migrations upsert from a locking SELECT, so a row deleted or
   * updated by a concurrent dual write is either waited for and skipped/re-read, never copied
   * stale.
   */
  public String copyRange(boolean hasLower) {
    return copyWhere(range(oldKey, hasLower));
  }

  /** The same copy for one key: the dual write's SQL fallback when there is no Java twin. */
  public String copyKey() {
    return copyWhere(oldKey + " = ?");
  }

  private String copyWhere(String predicate) {
    if (isColumnMigration()) {
      return "UPDATE "
          + oldTable
          + " SET "
          + pairs(i -> newColumns.get(i) + " = (" + transforms.get(i) + ")", ", ")
          + " WHERE "
          + predicate
          + " AND NOT ("
          + pairs(i -> newEquals(i, newColumns.get(i), transforms.get(i)), " AND ")
          + ")";
    }
    return dialect.upsert(
        newTable,
        newKey,
        prepend(newKey, newColumns),
        "SELECT "
            + oldKey
            + ", "
            + String.join(", ", parenthesized(transforms))
            + " FROM "
            + oldTable
            + " WHERE "
            + predicate
            + dialect.lockRows());
  }

  /** Removes a key from the new table after the application deleted it from the old one. */
  public String deleteNewKey() {
    return "DELETE FROM " + newTable + " WHERE " + newKey + " = ?";
  }

  // ---- reverse copy: old <- reverse(new), column migrations --------------------------------

  /** Re-syncs old columns from new ones in a range, for a rollback after writes went new-only. */
  public String reverseCopyRange(boolean hasLower) {
    return reverseWhere(range(oldKey, hasLower));
  }

  private String reverseWhere(String predicate) {
    List<String> reverse =
        migration.columns().stream().map(c -> c.reverseTransform().orElseThrow()).toList();
    return "UPDATE "
        + oldTable
        + " SET "
        + pairs(i -> oldColumns.get(i) + " = (" + reverse.get(i) + ")", ", ")
        + " WHERE "
        + predicate;
  }

  // ---- verification ----------------------------------------------------------------------

  /**
   * Keys in a range whose new values differ from transform(old) or (table migrations) are missing
   * from the new table: parameters (lower?), upper.
   */
  public String mismatchedKeys(boolean hasLower) {
    if (isColumnMigration()) {
      return "SELECT "
          + oldKey
          + " FROM "
          + oldTable
          + " WHERE "
          + range(oldKey, hasLower)
          + " AND NOT ("
          + pairs(i -> newEquals(i, newColumns.get(i), transforms.get(i)), " AND ")
          + ") ORDER BY "
          + oldKey;
    }
    return "SELECT ec_s.ec_k FROM ("
        + expectedRows(range(oldKey, hasLower))
        + ") ec_s LEFT JOIN "
        + newTable
        + " ec_t ON ec_t."
        + newKey
        + " = ec_s.ec_k WHERE ec_t."
        + newKey
        + " IS NULL OR NOT ("
        + pairs(i -> newEquals(i, "ec_t." + newColumns.get(i), "ec_s.ec_v" + i), " AND ")
        + ") ORDER BY ec_s.ec_k";
  }

  /** Keys in a range of the new table that the old table does not have (table migrations). */
  public String extraKeys(boolean hasLower) {
    return "SELECT ec_t."
        + newKey
        + " FROM "
        + newTable
        + " ec_t WHERE "
        + range("ec_t." + newKey, hasLower)
        + " AND NOT EXISTS (SELECT 1 FROM "
        + oldTable
        + " ec_o WHERE ec_o."
        + oldKey
        + " = ec_t."
        + newKey
        + ") ORDER BY ec_t."
        + newKey;
  }

  /** transform(old) evaluated with only the old table in scope, so names cannot clash. */
  private String expectedRows(String predicate) {
    return "SELECT "
        + oldKey
        + " AS ec_k, "
        + pairs(i -> "(" + transforms.get(i) + ") AS ec_v" + i, ", ")
        + " FROM "
        + oldTable
        + " WHERE "
        + predicate;
  }

  // ---- the application's row access (used by the starter's dual writes and reads) ---------

  /** Key and old values of {@code count} keys: parameters the keys. */
  public String selectOld(int count) {
    return "SELECT "
        + oldKey
        + ", "
        + String.join(", ", oldColumns)
        + " FROM "
        + oldTable
        + " WHERE "
        + oldKey
        + in(count);
  }

  /** True when both migrations keep their old values in the same row (same table and key). */
  public boolean sharesOldRowWith(MigrationSql other) {
    return oldTable.equals(other.oldTable) && oldKey.equals(other.oldKey);
  }

  /**
   * Key and the old values of every one of these migrations, in their order, of {@code count} keys:
   * one statement for migrations that {@linkplain #sharesOldRowWith share their old row}.
   */
  public static String selectOld(List<MigrationSql> sharingOldRow, int count) {
    MigrationSql first = sharingOldRow.get(0);
    return "SELECT "
        + first.oldKey
        + ", "
        + sharingOldRow.stream()
            .map(sql -> String.join(", ", sql.oldColumns))
            .collect(Collectors.joining(", "))
        + " FROM "
        + first.oldTable
        + " WHERE "
        + first.oldKey
        + first.in(count);
  }

  /** Key and new values of {@code count} keys. */
  public String selectNew(int count) {
    return "SELECT "
        + newKey
        + ", "
        + String.join(", ", newColumns)
        + " FROM "
        + newTable
        + " WHERE "
        + newKey
        + in(count);
  }

  /**
   * Key, old values and a 0/1 mismatch flag (new differs from transform(old)) of {@code count}
   * keys, in one statement so that both sides come from one snapshot.
   */
  public String selectShadow(int count) {
    String keys = oldKey + in(count);
    if (isColumnMigration()) {
      return "SELECT "
          + oldKey
          + ", "
          + String.join(", ", oldColumns)
          + ", CASE WHEN "
          + pairs(i -> newEquals(i, newColumns.get(i), transforms.get(i)), " AND ")
          + " THEN 0 ELSE 1 END FROM "
          + oldTable
          + " WHERE "
          + keys;
    }
    return "SELECT ec_s.ec_k, "
        + pairs(i -> "ec_s.ec_o" + i, ", ")
        + ", CASE WHEN ec_t."
        + newKey
        + " IS NOT NULL AND "
        + pairs(i -> newEquals(i, "ec_t." + newColumns.get(i), "ec_s.ec_v" + i), " AND ")
        + " THEN 0 ELSE 1 END FROM (SELECT "
        + oldKey
        + " AS ec_k, "
        + pairs(i -> oldColumns.get(i) + " AS ec_o" + i, ", ")
        + ", "
        + pairs(i -> "(" + transforms.get(i) + ") AS ec_v" + i, ", ")
        + " FROM "
        + oldTable
        + " WHERE "
        + keys
        + ") ec_s LEFT JOIN "
        + newTable
        + " ec_t ON ec_t."
        + newKey
        + " = ec_s.ec_k";
  }

  /** Writes old values: parameters the old values, then the key. */
  public String updateOld() {
    return "UPDATE " + oldTable + " SET " + assignments(oldColumns) + " WHERE " + oldKey + " = ?";
  }

  /** Writes old and new values of a column migration in one statement: old, new, key. */
  public String updateOldAndNew() {
    List<String> both = new ArrayList<>(oldColumns);
    both.addAll(newColumns);
    return "UPDATE " + oldTable + " SET " + assignments(both) + " WHERE " + oldKey + " = ?";
  }

  /** Writes new values: column migrations new values then key; table migrations key first. */
  public String writeNew() {
    if (isColumnMigration()) {
      return "UPDATE " + newTable + " SET " + assignments(newColumns) + " WHERE " + newKey + " = ?";
    }
    List<String> columns = prepend(newKey, newColumns);
    return dialect.upsert(
        newTable,
        newKey,
        columns,
        "VALUES (" + String.join(", ", Collections.nCopies(columns.size(), "?")) + ")");
  }

  /** The copy compiled on no rows: proves at start-up that transforms and columns fit. */
  public String copyNothing() {
    return copyWhere(oldKey + " < ? AND " + oldKey + " > ?");
  }

  // ---- safety net: triggers keeping new in step for writers that bypass the application ----

  /**
   * The safety net's statements, named {@code name}: transforms read the changed row through a
   * derived table of every column of the old table ({@code rowColumns}, as the catalog spells
   * them), so any column a transform names resolves as it does in the backfill.
   */
  public SafetyNetSql safetyNet(String name, List<String> rowColumns) {
    String row =
        "(SELECT "
            + rowColumns.stream()
                .map(dialect::quote)
                .map(c -> "NEW." + c + " AS " + c)
                .collect(Collectors.joining(", "))
            + ") ec_v";
    if (isColumnMigration()) {
      return new SafetyNetSql(
          name,
          oldTable,
          schema.oldTable(),
          oldKey,
          false,
          oldColumns.stream().distinct().toList(),
          newColumns,
          transforms.stream().map(t -> "(SELECT (" + t + ") FROM " + row + ")").toList(),
          null,
          null);
    }
    return new SafetyNetSql(
        name,
        oldTable,
        schema.oldTable(),
        oldKey,
        true,
        prepend(oldKey, oldColumns).stream().distinct().toList(),
        List.of(),
        List.of(),
        dialect.upsert(
            newTable,
            newKey,
            prepend(newKey, newColumns),
            "SELECT "
                + oldKey
                + ", "
                + String.join(", ", parenthesized(transforms))
                + " FROM "
                + row),
        "DELETE FROM " + newTable + " WHERE " + newKey + " = OLD." + oldKey);
  }

  // ---- helpers ----------------------------------------------------------------------------

  /** New column {@code i} equals an expected value: exactly, for text. */
  private String newEquals(int i, String newValue, String expected) {
    return switch (schema.newColumnComparisons().get(i)) {
      case VALUE -> dialect.nullSafeEquals(newValue, expected);
      case TEXT -> dialect.textEquals(newValue, expected);
      case PADDED_TEXT -> dialect.paddedTextEquals(newValue, expected);
    };
  }

  private static String range(String key, boolean hasLower) {
    return hasLower ? key + " > ? AND " + key + " <= ?" : key + " <= ?";
  }

  private static String in(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("at least one key is needed");
    }
    return " IN (" + String.join(", ", Collections.nCopies(count, "?")) + ")";
  }

  private String pairs(Function<Integer, String> each, String separator) {
    return IntStream.range(0, transforms.size())
        .mapToObj(each::apply)
        .collect(Collectors.joining(separator));
  }

  private static String assignments(List<String> columns) {
    return columns.stream().map(c -> c + " = ?").collect(Collectors.joining(", "));
  }

  private static List<String> parenthesized(List<String> expressions) {
    return expressions.stream().map(e -> "(" + e + ")").toList();
  }

  private static List<String> prepend(String first, List<String> rest) {
    List<String> all = new ArrayList<>(rest.size() + 1);
    all.add(first);
    all.addAll(rest);
    return all;
  }
}
