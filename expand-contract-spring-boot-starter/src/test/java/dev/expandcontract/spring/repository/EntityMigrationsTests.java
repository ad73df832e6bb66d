package dev.expandcontract.spring.repository;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.sql.ColumnType;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.core.sql.KeyType;
import dev.expandcontract.core.sql.MigrationSchema;
import dev.expandcontract.core.sql.ValueComparison;
import dev.expandcontract.spring.Migrated;
import java.math.BigDecimal;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, item 3: a field's type says which schema's values it holds, and start-up says what is
 * missing when it fits neither column or cannot be written to the old one.
 */
class EntityMigrationsTests {

  private static final ColumnType VARCHAR_20 = new ColumnType(Types.VARCHAR, "varchar", 20, 0);
  private static final ColumnType NUMERIC_10_2 = new ColumnType(Types.NUMERIC, "numeric", 10, 2);

  static class TypedForOld {
    @Migrated(migration = "order-amount", column = "amount_text")
    String amount;
  }

  static class TypedForNew {
    @Migrated(migration = "order-amount", column = "amount_text")
    BigDecimal amount;
  }

  static class TypedForNeither {
    @Migrated(migration = "order-amount", column = "amount_text")
    Boolean amount;
  }

  private static Migration amount(boolean reverse) {
    Migration.ColumnBuilder builder =
        Migration.column("order-amount")
            .table("orders")
            .key("id")
            .map("amount_text")
            .to("amount")
            .using("CAST(amount_text AS DECIMAL(10,2))");
    if (reverse) {
      builder.reverse("CAST(amount AS CHAR(20))");
    }
    return builder.build();
  }

  private static Optional<EntityMigrations> bind(Class<?> entity, Migration migration) {
    return bind(entity, migration, List.of(VARCHAR_20));
  }

  private static Optional<EntityMigrations> bind(
      Class<?> entity, Migration migration, List<ColumnType> oldTypes) {
    MigrationSql sql =
        new MigrationSql(
            migration,
            new MigrationSchema(
                "orders",
                "id",
                "orders",
                "id",
                List.of("amount_text"),
                List.of("amount"),
                List.of(ValueComparison.VALUE),
                oldTypes,
                List.of(NUMERIC_10_2),
                KeyType.LONG),
            DatabaseType.POSTGRESQL.dialect());
    return EntityMigrations.of(
        entity,
        id ->
            Optional.of(
                new MigratedRows(sql, ExpandContractListener.NO_OP, OperationObserver.NONE)));
  }

  @Test
  void aFieldTheOldColumnHoldsHoldsOldValues() {
    assertThat(bind(TypedForOld.class, amount(false)).orElseThrow().form("order-amount"))
        .isEqualTo(ValueForm.OLD);
  }

  @Test
  void aFieldOnlyTheNewColumnHoldsHoldsNewValuesAndIsFilledWithThem() {
    EntityMigrations bound = bind(TypedForNew.class, amount(true)).orElseThrow();
    assertThat(bound.form("order-amount")).isEqualTo(ValueForm.NEW);

    TypedForNew entity = new TypedForNew();
    bound.set("order-amount", entity, Arrays.asList(new BigDecimal("12.50")));
    assertThat(entity.amount).isEqualByComparingTo("12.50");
    bound.set("order-amount", entity, Arrays.asList(7L)); // an integer type from a driver
    assertThat(entity.amount).isEqualByComparingTo("7");
  }

  @Test
  void aFieldHoldingNewValuesNeedsAReverseToWriteTheOldColumn() {
    assertThatThrownBy(() -> bind(TypedForNew.class, amount(false)))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("@Migrated field TypedForNew.amount is a BigDecimal")
        .hasMessageContaining("new column orders.amount (numeric(10,2)) holds")
        .hasMessageContaining("old column orders.amount_text (varchar(20)) does not")
        .hasMessageContaining("declare reverseJava(...) on the bean or 'reverse'");
  }

  @Test
  void aFieldNeitherColumnHoldsIsRefusedNamingBothTypes() {
    assertThatThrownBy(() -> bind(TypedForNeither.class, amount(true)))
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("@Migrated field TypedForNeither.amount is a Boolean")
        .hasMessageContaining("neither old column orders.amount_text (varchar(20))")
        .hasMessageContaining("nor new column orders.amount (numeric(10,2))");
  }
}
