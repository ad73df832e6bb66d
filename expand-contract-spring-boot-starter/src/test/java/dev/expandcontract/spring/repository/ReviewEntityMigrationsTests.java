package dev.expandcontract.spring.repository;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.access.MigratedRows;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.event.OperationObserver;
import dev.expandcontract.core.internal.sql.MigrationSql;
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
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Review of 25d6749: EntityMigrations.form is too strict for multi-column migrations. */
class ReviewEntityMigrationsTests {

  private static final ColumnType VARCHAR_20 = new ColumnType(Types.VARCHAR, "varchar", 20, 0);
  private static final ColumnType VARCHAR_3 = new ColumnType(Types.VARCHAR, "varchar", 3, 0);
  private static final ColumnType NUMERIC_10_2 = new ColumnType(Types.NUMERIC, "numeric", 10, 2);

  /**
   * amount changes type (only new holds BigDecimal), currency does not (both hold String): the
   * consistent reading is "new values" for both, yet start-up refuses the entity as mixing forms,
   * and no Java type exists that would let currency be declared for the new column only.
   */
  static class Order {
    @Migrated(migration = "order-money", column = "amount_text")
    BigDecimal amount;

    @Migrated(migration = "order-money", column = "currency")
    String currency;
  }

  @Test
  void aFieldBothColumnsHoldFollowsItsSiblingsForm() {
    Migration migration =
        Migration.column("order-money")
            .table("orders")
            .key("id")
            .map("amount_text")
            .to("amount")
            .using("CAST(amount_text AS DECIMAL(10,2))")
            .reverse("CAST(amount AS CHAR(20))")
            .map("currency")
            .to("currency_code")
            .using("upper(currency)")
            .reverse("currency_code")
            .build();
    MigrationSql sql =
        new MigrationSql(
            migration,
            new MigrationSchema(
                "orders",
                "id",
                "orders",
                "id",
                List.of("amount_text", "currency"),
                List.of("amount", "currency_code"),
                List.of(ValueComparison.VALUE, ValueComparison.TEXT),
                List.of(VARCHAR_20, VARCHAR_3),
                List.of(NUMERIC_10_2, VARCHAR_3),
                KeyType.LONG),
            DatabaseType.POSTGRESQL.dialect());

    assertThat(
            EntityMigrations.of(
                    Order.class,
                    id ->
                        Optional.of(
                            new MigratedRows(
                                sql, ExpandContractListener.NO_OP, OperationObserver.NONE)))
                .orElseThrow()
                .form("order-money"))
        .isEqualTo(ValueForm.NEW);
  }
}
