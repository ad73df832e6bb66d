package dev.expandcontract.core.ddl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DdlChangeTest {

  @Test
  void readsTheDirectiveAboveTheStatementAndTheTable() {
    DdlChange change =
        DdlChange.parse(
                "-- widen the zip\n-- expand-contract: executor=pt-osc copy=allowed\n"
                    + "ALTER TABLE `customers` MODIFY zip VARCHAR(40);")
            .orElseThrow();
    assertThat(change.table()).isEqualTo("customers");
    assertThat(change.statement()).isEqualTo("ALTER TABLE `customers` MODIFY zip VARCHAR(40)");
    assertThat(change.executor()).contains("pt-osc");
    assertThat(change.copyAllowed()).isTrue();
    assertThat(change.alterClause("pt-osc")).isEqualTo("MODIFY zip VARCHAR(40)");
  }

  @Test
  void findsTheTableOfIndexAndTableStatements() {
    assertThat(DdlChange.parse("CREATE UNIQUE INDEX CONCURRENTLY i ON public.orders (a)"))
        .map(DdlChange::table)
        .contains("orders");
    assertThat(DdlChange.parse("DROP TABLE IF EXISTS old_orders"))
        .map(DdlChange::table)
        .contains("old_orders");
    assertThat(DdlChange.parse("CREATE EXTENSION pg_repack")).map(DdlChange::table).contains("");
    assertThat(DdlChange.parse("ALTER TABLE orders ADD COLUMN s INT").orElseThrow().executor())
        .isEmpty();
  }

  @Test
  void leavesDataStatementsAlone() {
    assertThat(DdlChange.parse("INSERT INTO orders VALUES (1)")).isEmpty();
    assertThat(DdlChange.parse("-- expand-contract: executor=pt-osc\nUPDATE orders SET a = 1"))
        .isEmpty();
  }

  @Test
  void aToolRefusesWhatIsNotAnAlterTable() {
    DdlChange index = new DdlChange("orders", "CREATE INDEX i ON orders (a)", Map.of());
    assertThatThrownBy(() -> index.alterClause("pt-osc"))
        .isInstanceOf(DdlRefusedException.class)
        .hasMessageContaining("pt-osc runs ALTER TABLE statements only");
  }
}
