package dev.expandcontract.spring.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.spring.ddl.DdlActivity;
import dev.expandcontract.spring.endpoint.ActionDescriptors.ErrorDescriptor;
import dev.expandcontract.spring.endpoint.ExpandContractEndpoint;
import dev.expandcontract.test.TestDatabase;
import java.security.Principal;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The executor chosen for one migration runs its contract scripts for real (customer-email through
 * pt-online-schema-change), and a contract whose DDL the guard refuses (customer-address: a copying
 * ALTER) answers 409 with the reason through the actuator endpoint.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "expand-contract.ddl.migration-executors.customer-email=pt-osc",
      "expand-contract.contract.locations=classpath:db/contract-executors/{id}"
    })
class ContractExecutorsMariaDbTest extends ItSupport {

  /** An authenticated caller with the write role. */
  private static final SecurityContext OPERATOR =
      new SecurityContext() {
        @Override
        public Principal getPrincipal() {
          return () -> "ops";
        }

        @Override
        public boolean isUserInRole(String role) {
          return true;
        }
      };

  @Autowired ExpandContractEndpoint endpoint;
  @Autowired DdlActivity ddlActivity;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    ItDatabases.register(registry, TestDatabase.MARIADB, "starter_contract_executors");
  }

  @BeforeEach
  void someCustomers() {
    if (customers.count() == 0) {
      for (int i = 0; i < 50; i++) {
        customers.save(new Customer("c" + i, " C" + i + "@X.org", "S" + i, "City", "Z" + i));
      }
    }
  }

  @Test
  void theMigrationsOwnExecutorRunsItsContractScripts() {
    toNewOnly(EMAIL);

    WebEndpointResponse<Object> contract = endpoint.act(OPERATOR, EMAIL, "contract", null, null);

    assertThat(contract.getStatus()).as("%s", contract.getBody()).isEqualTo(200);
    assertPhase(stored(EMAIL), Phase.CONTRACTED);
    assertThat(columns()).doesNotContain("email").contains("email_normalized", "street");
    List<String> ptOsc =
        ddlActivity.recent().stream()
            .filter(e -> e.executor().equals("pt-osc") && e.table().equals("customers"))
            .map(DdlActivity.Entry::message)
            .toList();
    assertThat(ptOsc).first().asString().startsWith("started: pt-online-schema-change");
    assertThat(ptOsc.get(0)).contains("--alter=DROP COLUMN email");
    assertThat(ptOsc).last().isEqualTo("done");
    assertThat(customers.findAll())
        .hasSize(50)
        .allSatisfy(c -> assertThat(c.getEmail()).isEqualTo(c.getEmail().trim().toLowerCase()));
  }

  @Test
  void aContractTheDdlGuardRefusesIs409WithTheReason() {
    toNewOnly(ADDRESS);

    WebEndpointResponse<Object> contract = endpoint.act(OPERATOR, ADDRESS, "contract", null, null);

    assertThat(contract.getStatus()).isEqualTo(409);
    ErrorDescriptor error = (ErrorDescriptor) contract.getBody();
    assertThat(error.reason())
        .startsWith("contract refused: ALTER TABLE customers DROP COLUMN street")
        .contains("can run neither ALGORITHM=INSTANT nor INPLACE, LOCK=NONE")
        .contains("executor=pt-osc");
    assertThat(error.migration().phase()).isEqualTo("CONTRACTING");
    assertThat(error.migration().lastError()).contains("contract stopped halfway");
    assertThat(columns()).as("nothing of the refused ALTER ran").contains("street", "city");
  }

  private void toNewOnly(String id) {
    MigrationControl control = expandContract.control();
    backfill(id);
    control.verify(id, "test");
    control.readNew(id, 100, "test");
    acknowledge();
    control.stopOldWrites(id, "test");
    acknowledge();
  }

  private List<String> columns() {
    return jdbc.queryForList(
        "select lower(column_name) from information_schema.columns"
            + " where table_schema = database() and table_name = 'customers'",
        String.class);
  }
}
