package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.ddl.DdlActivity;
import dev.expandcontract.test.TestDatabase;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** customer-email's contract ({@code DROP COLUMN email}) through its own executor, pt-osc. */
class MariaDbPtOnlineSchemaChangeUnderTrafficTest extends OnlineDdlUnderRepositoryTrafficTest {

  @Autowired FlywayContractScripts contractScripts;
  @Autowired DdlActivity ddlActivity;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.MARIADB, "starter_pt_osc_traffic");
    registry.add("expand-contract.ddl.migration-executors.customer-email", () -> "pt-osc");
  }

  @Override
  String seedSql() {
    return "insert into customers (name, email) select concat('c', seq),"
        + " concat(' C', seq, '@X.org') from seq_1_to_"
        + ROWS;
  }

  @Override
  Runnable prepare() {
    MigrationControl control = expandContract.control();
    backfill(EMAIL);
    control.verify(EMAIL, "test");
    control.readNew(EMAIL, 100, "test");
    acknowledge();
    control.stopOldWrites(EMAIL, "test");
    acknowledge();
    return () -> {
      control.contract(EMAIL, "test", contractScripts.forMigration(EMAIL));
      assertPhase(stored(EMAIL), Phase.CONTRACTED);
      assertThat(ddlActivity.recent())
          .anyMatch(
              e ->
                  e.executor().equals("pt-osc")
                      && e.table().equals("customers")
                      && e.message().equals("done"));
    };
  }

  @Override
  String label() {
    return "contract DROP COLUMN email through pt-online-schema-change";
  }
}
