package dev.expandcontract.core.migration;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * An immutable expand-contract migration declaration. Build one with {@link #column(String)} or
 * {@link #table(String)}:
 *
 * <pre>{@code
 * Migration email = Migration.column("customer-email")
 *     .table("customers").key("id")
 *     .map("email").to("email_normalized").using("lower(trim(email))").reverse("email_normalized")
 *     .build();
 * Migration address = Migration.table("customer-address")
 *     .from("customers").key("id").into("customer_addresses").newKey("customer_id")
 *     .map("street").to("street").map("zip").to("postal_code")
 *     .build();
 * }</pre>
 *
 * @param id unique id, used in the state table, flags, metrics and the actuator endpoint
 * @param kind column or table migration
 * @param oldTable the table read before the switch
 * @param oldKey the unique, orderable key column of the old table
 * @param newTable the table written by the migration (the old table for column migrations)
 * @param newKey the key column of the new table (the old key for column migrations)
 * @param columns what each new column is computed from
 * @param backfill how the backfill paces itself
 */
public record Migration(
    String id,
    MigrationKind kind,
    String oldTable,
    String oldKey,
    String newTable,
    String newKey,
    List<ColumnMapping> columns,
    BackfillSettings backfill) {

  private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-_.]{0,63}");

  public Migration {
    Objects.requireNonNull(kind, "kind");
    if (id == null || !ID.matcher(id).matches()) {
      throw new InvalidMigrationException(
          "migration id '" + id + "' is invalid: use 1-64 of [a-z0-9-_.], starting alphanumeric");
    }
    requireSet(id, "table", oldTable);
    requireSet(id, "key", oldKey);
    requireSet(id, "new table", newTable);
    requireSet(id, "new key", newKey);
    if (columns == null || columns.isEmpty()) {
      throw new InvalidMigrationException("migration '" + id + "': no columns are mapped");
    }
    if (kind == MigrationKind.COLUMN
        && (!oldTable.equalsIgnoreCase(newTable) || !oldKey.equalsIgnoreCase(newKey))) {
      throw new InvalidMigrationException(
          "migration '" + id + "': a column migration stays in one table with one key");
    }
    columns = List.copyOf(columns);
    backfill = backfill == null ? BackfillSettings.DEFAULTS : backfill;
  }

  /** Starts a column migration: old column(s) to new column(s) of the same table. */
  public static ColumnBuilder column(String id) {
    return new ColumnBuilder(id);
  }

  /** Starts a table migration: old table to new table. */
  public static TableBuilder table(String id) {
    return new TableBuilder(id);
  }

  /** True when every mapping declares how to recompute the old value from the new one. */
  public boolean hasReverseTransform() {
    return columns.stream().allMatch(c -> c.reverseTransform().isPresent());
  }

  private static void requireSet(String id, String what, String value) {
    if (value == null || value.isBlank()) {
      throw new InvalidMigrationException("migration '" + id + "': " + what + " is not set");
    }
  }

  /** Shared part of both builders: column mappings and backfill settings. */
  public abstract static class Builder<B extends Builder<B>> {
    final String id;
    final List<ColumnMapping> columns = new ArrayList<>();
    BackfillSettings backfill = BackfillSettings.DEFAULTS;
    private String oldColumn;
    private String newColumn;
    private String transform;
    private String reverse;
    private UnaryOperator<Object> javaTransform;
    private UnaryOperator<Object> reverseJavaTransform;

    Builder(String id) {
      this.id = id;
    }

    /** Starts a mapping from this old column; finish it with {@link #to(String)}. */
    public B map(String oldColumn) {
      flushMapping();
      this.oldColumn = oldColumn;
      return self();
    }

    /** The new column the current mapping fills. */
    public B to(String newColumn) {
      this.newColumn = newColumn;
      return self();
    }

    /** SQL expression over the old table's columns; defaults to the old column itself. */
    public B using(String sqlTransform) {
      this.transform = sqlTransform;
      return self();
    }

    /** Java twin of the SQL transform, so a dual write needs one statement. */
    public B usingJava(UnaryOperator<Object> javaTransform) {
      this.javaTransform = javaTransform;
      return self();
    }

    /** SQL expression over the new columns that recomputes the old column. */
    public B reverse(String sqlReverseTransform) {
      this.reverse = sqlReverseTransform;
      return self();
    }

    /**
     * Java twin of the reverse transform: the old value of a new-form value, for an entity field
     * typed for the new column; without it such a field's writes to old run the SQL reverse.
     */
    public B reverseJava(UnaryOperator<Object> reverseJavaTransform) {
      this.reverseJavaTransform = reverseJavaTransform;
      return self();
    }

    public B backfill(BackfillSettings settings) {
      this.backfill = settings;
      return self();
    }

    public B batchSize(int rows) {
      this.backfill = backfill.withBatchSize(rows);
      return self();
    }

    public abstract Migration build();

    List<ColumnMapping> mappings() {
      flushMapping();
      return columns;
    }

    private void flushMapping() {
      if (oldColumn == null) {
        return;
      }
      if (newColumn == null) {
        throw new InvalidMigrationException(
            "migration '" + id + "': column '" + oldColumn + "' is mapped to no new column");
      }
      columns.add(
          new ColumnMapping(
              oldColumn,
              newColumn,
              transform,
              Optional.ofNullable(reverse),
              Optional.ofNullable(javaTransform),
              Optional.ofNullable(reverseJavaTransform)));
      oldColumn = newColumn = transform = reverse = null;
      javaTransform = reverseJavaTransform = null;
    }

    @SuppressWarnings("unchecked")
    private B self() {
      return (B) this;
    }
  }

  /** Builds a {@link MigrationKind#COLUMN} migration. */
  public static final class ColumnBuilder extends Builder<ColumnBuilder> {
    private String table;
    private String key;

    ColumnBuilder(String id) {
      super(id);
    }

    public ColumnBuilder table(String table) {
      this.table = table;
      return this;
    }

    public ColumnBuilder key(String key) {
      this.key = key;
      return this;
    }

    @Override
    public Migration build() {
      return new Migration(id, MigrationKind.COLUMN, table, key, table, key, mappings(), backfill);
    }
  }

  /** Builds a {@link MigrationKind#TABLE} migration. */
  public static final class TableBuilder extends Builder<TableBuilder> {
    private String oldTable;
    private String oldKey;
    private String newTable;
    private String newKey;

    TableBuilder(String id) {
      super(id);
    }

    public TableBuilder from(String oldTable) {
      this.oldTable = oldTable;
      return this;
    }

    public TableBuilder key(String oldKey) {
      this.oldKey = oldKey;
      return this;
    }

    /** The new table; call {@link #to(String)} for columns after {@link #map(String)}. */
    public TableBuilder into(String newTable) {
      this.newTable = newTable;
      return this;
    }

    /** Key column of the new table; defaults to the old key's name. */
    public TableBuilder newKey(String newKey) {
      this.newKey = newKey;
      return this;
    }

    @Override
    public Migration build() {
      return new Migration(
          id,
          MigrationKind.TABLE,
          oldTable,
          oldKey,
          newTable,
          newKey == null ? oldKey : newKey,
          mappings(),
          backfill);
    }
  }
}
