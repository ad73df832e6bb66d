package dev.expandcontract.core.internal.sql;

import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.sql.ColumnType;
import dev.expandcontract.core.sql.KeyType;
import dev.expandcontract.core.sql.MigrationSchema;
import dev.expandcontract.core.sql.SafetyNetSql;
import dev.expandcontract.core.sql.SqlDialect;
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

  /**
   * A cheaper form of {@link #copyRange} for a table migration where the dialect has one (see
   * {@link SqlDialect#insertMissingUpdateDiffering}), else null. It fails with a duplicate key when
   * a concurrent dual write inserted a new row of the range after its snapshot: redo the range with
   * {@link #copyRange} then.
   */
  public String insertMissingRange(boolean hasLower) {
    if (isColumnMigration()) {
      return null;
    }
    return dialect.insertMissingUpdateDiffering(
        newTable,
        newKey,
        prepend(newKey, newColumns),
        lockedSource(range(oldKey, hasLower)),
        "NOT ("
            + pairs(
                i -> newEquals(i, "ec_n." + newColumns.get(i), "ec_s." + newColumns.get(i)),
                " AND ")
            + ")");
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
    return dialect.upsert(newTable, newKey, prepend(newKey, newColumns), lockedSource(predicate));
  }

  /** The new rows of a table migration computed from the old rows it locks. */
  private String lockedSource(String predicate) {
    return "SELECT "
        + oldKey
        + ", "
        + String.join(", ", parenthesized(transforms))
        + " FROM "
        + oldTable
        + " WHERE "
        + predicate
        + dialect.lockRows();
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

  /**
   * Key and, per mapping, the old value (or, for the {@linkplain ValueForm#NEW new form},
   * transform(old): what the backfill would write) of {@code count} keys: parameters the keys.
   */
  public String selectOld(int count, ValueForm form) {
    return "SELECT "
        + oldKey
        + ", "
        + String.join(", ", oldReads(form))
        + " FROM "
        + oldTable
        + " WHERE "
        + oldKey
        + in(count);
  }

  private List<String> newReads(ValueForm form) {
    if (form == ValueForm.NEW) {
      return newColumns;
    }
    List<String> reads = new ArrayList<>();
    for (int i = 0; i < newColumns.size(); i++) {
      ColumnMapping mapping = migration.columns().get(i);
      reads.add(
          mapping.reverseJavaTransform().isEmpty() && mapping.reverseTransform().isPresent()
              ? "(" + mapping.reverseTransform().get() + ")"
              : newColumns.get(i));
    }
    return reads;
  }

  /** Key and new values of the rows with the highest keys: parameter the row count. */
  public String sampleNew() {
    return newest(newTable, newKey, newColumns);
  }

  private static String newest(String table, String key, List<String> columns) {
    return "SELECT "
        + key
        + ", "
        + String.join(", ", columns)
        + " FROM "
        + table
        + " WHERE "
        + key
        + " IS NOT NULL ORDER BY "
        + key
        + " DESC LIMIT ?";
  }

  /** What a read from old selects per mapping: the old column, or transform(old) for new form. */
  private List<String> oldReads(ValueForm form) {
    return form == ValueForm.OLD ? oldColumns : parenthesized(transforms);
  }

  /** True when both migrations keep their old values in the same row (same table and key). */
  public boolean sharesOldRowWith(MigrationSql other) {
    return oldTable.equals(other.oldTable) && oldKey.equals(other.oldKey);
  }

  /**
   * Key and the old values (in each migration's form) of every one of these migrations, in their
   * order, of {@code count} keys: one statement for migrations that {@linkplain #sharesOldRowWith
   * share their old row}.
   */
  public static String selectOld(
      List<MigrationSql> sharingOldRow, List<ValueForm> forms, int count) {
    MigrationSql first = sharingOldRow.get(0);
    return "SELECT "
        + first.oldKey
        + ", "
        + IntStream.range(0, sharingOldRow.size())
            .mapToObj(i -> String.join(", ", sharingOldRow.get(i).oldReads(forms.get(i))))
            .collect(Collectors.joining(", "))
        + " FROM "
        + first.oldTable
        + " WHERE "
        + first.oldKey
        + first.in(count);
  }

  /**
   * Key and, per mapping, the new value (or, for the {@linkplain ValueForm#OLD old form}, the SQL
   * reverse over the new columns where one is declared and no reverse Java twin is) of {@code
   * count} keys.
   */
  public String selectNew(int count, ValueForm form) {
    return "SELECT "
        + newKey
        + ", "
        + String.join(", ", newReads(form))
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

  /**
   * Writes new values computed from old-form values, once the old schema is no longer written:
   * column {@code i} is bound as its Java twin's result, or (no twin) computed by its SQL transform
   * from the bound old values (see {@link #computedFromOld}). Parameters: column migrations each
   * column's then the key; table migrations the key first.
   */
  public String writeNewComputed() {
    List<String> values =
        IntStream.range(0, transforms.size()).mapToObj(this::newValueFromOld).toList();
    if (isColumnMigration()) {
      return "UPDATE "
          + newTable
          + " SET "
          + pairs(i -> newColumns.get(i) + " = " + values.get(i), ", ")
          + " WHERE "
          + newKey
          + " = ?";
    }
    return dialect.upsert(
        newTable, newKey, prepend(newKey, newColumns), "SELECT ?, " + String.join(", ", values));
  }

  private String newValueFromOld(int i) {
    return migration.columns().get(i).javaTransform().isPresent()
        ? "?"
        : computedFromOld(transforms.get(i));
  }

  /**
   * Writes old values computed from new-form values, while the old schema is still written: column
   * {@code i} is bound as its reverse Java twin's result, or computed by its SQL reverse from the
   * bound new values. Column migrations set the new values in the same statement. Parameters: each
   * old column's, then (column migrations) the new values, then the key.
   */
  public String updateOldComputed() {
    String oldValues =
        pairs(
            i -> {
              ColumnMapping mapping = migration.columns().get(i);
              String value =
                  mapping.reverseJavaTransform().isPresent()
                      ? "?"
                      : computedFromNew(mapping.reverseTransform().orElseThrow());
              return oldColumns.get(i) + " = " + value;
            },
            ", ");
    return "UPDATE "
        + oldTable
        + " SET "
        + oldValues
        + (isColumnMigration() ? ", " + assignments(newColumns) : "")
        + " WHERE "
        + oldKey
        + " = ?";
  }

  /**
   * A transform evaluated on bound values named like the old columns, not on a row: the value the
   * application holds (the old column may be gone, or no longer written). Parameters: every old
   * column's value, in mapping order.
   */
  private String computedFromOld(String transform) {
    return evaluated(transform, oldColumns, schema.oldColumnTypes());
  }

  /** A reverse transform evaluated on bound values named like the new columns. */
  private String computedFromNew(String reverse) {
    return evaluated(reverse, newColumns, schema.newColumnTypes());
  }

  private String evaluated(String expression, List<String> names, List<ColumnType> types) {
    return "(SELECT ("
        + expression
        + ") FROM (SELECT "
        + IntStream.range(0, names.size())
            .mapToObj(
                i ->
                    dialect.typedParameter(types.isEmpty() ? null : types.get(i))
                        + " AS "
                        + names.get(i))
            .collect(Collectors.joining(", "))
        + ") ec_v)";
  }

  /**
   * Whether new column {@code i}, computed from bound old values as {@link #writeNewComputed} does,
   * equals what the new schema holds for a key: 1 when it differs. A column migration's transform
   * sees the rest of the row it updates; a table migration's sees only the bound values.
   * Parameters: every old column's value, then the key. No row when the key has no new row.
   */
  public String computedNewDiffers(int i) {
    String computed = computedFromOld(transforms.get(i));
    if (isColumnMigration()) {
      return "SELECT CASE WHEN "
          + newEquals(i, newColumns.get(i), computed)
          + " THEN 0 ELSE 1 END FROM "
          + newTable
          + " WHERE "
          + newKey
          + " = ?";
    }
    return "SELECT CASE WHEN "
        + newEquals(i, "ec_t." + newColumns.get(i), "ec_c.ec_v")
        + " THEN 0 ELSE 1 END FROM (SELECT "
        + computed
        + " AS ec_v) ec_c, "
        + newTable
        + " ec_t WHERE ec_t."
        + newKey
        + " = ?";
  }

  /** Key and old values of the rows with the highest keys: parameter the row count. */
  public String sampleOld() {
    return newest(oldTable, oldKey, oldColumns);
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
