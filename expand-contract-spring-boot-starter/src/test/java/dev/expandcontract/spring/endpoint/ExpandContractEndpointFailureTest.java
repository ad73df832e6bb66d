package dev.expandcontract.spring.endpoint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.ddl.DdlProgress;
import dev.expandcontract.core.ddl.DdlSettings;
import dev.expandcontract.core.ddl.PgRepackCompaction;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.phase.MigrationCompaction;
import dev.expandcontract.core.phase.MigrationControl;
import dev.expandcontract.core.sql.DatabaseType;
import dev.expandcontract.spring.contract.ContractGate;
import dev.expandcontract.spring.contract.FlywayContractScripts;
import dev.expandcontract.spring.ddl.DdlActivity;
import dev.expandcontract.spring.observe.ItemsDatabase;
import java.security.Principal;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/** What the endpoint answers when the database, not a guard, is the reason an action fails. */
class ExpandContractEndpointFailureTest {

  private final ItemsDatabase db =
      new ItemsDatabase("endpoint_failure", ExpandContractListener.NO_OP);
  private final ExpandContractEndpoint endpoint = endpoint(null);

  private ExpandContractEndpoint endpoint(FlywayContractScripts contractScripts) {
    return new ExpandContractEndpoint(
        db.expandContract,
        contractScripts,
        "ADMIN",
        new MigrationCompaction(
            db.expandContract.store(),
            db.expandContract::migration,
            new PgRepackCompaction(
                "pg_repack",
                db.dataSource,
                DatabaseType.H2,
                Optional.empty(),
                DdlSettings.DEFAULTS,
                DdlProgress.NO_OP)),
        new DdlActivity(Clock.systemUTC()));
  }

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

  @AfterEach
  void close() {
    db.close();
  }

  @Test
  void aDatabaseThatDoesNotAnswerIs503WithItsMessageNot409() {
    db.close(); // the pool is gone: every statement fails as with a database that is down

    WebEndpointResponse<Object> action =
        endpoint.act(OPERATOR, ItemsDatabase.ID, "start-backfill", null, null);

    assertThat(action.getStatus()).isEqualTo(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
    assertThat(reason(action)).startsWith("start-backfill failed: the database failed: ");
    assertThat(reason(action)).contains("has been closed");

    WebEndpointResponse<Object> status = endpoint.migration(ItemsDatabase.ID);
    assertThat(status.getStatus()).isEqualTo(WebEndpointResponse.STATUS_SERVICE_UNAVAILABLE);
  }

  @Test
  void aGuardRefusalStays409() {
    WebEndpointResponse<Object> action =
        endpoint.act(OPERATOR, ItemsDatabase.ID, "contract", null, null);
    assertThat(action.getStatus()).isEqualTo(ExpandContractEndpoint.STATUS_REFUSED);
  }

  @Test
  void compactOnADatabasePgRepackDoesNotServeIs409NamingWhy() throws Exception {
    db.expandContract.control().startBackfill(ItemsDatabase.ID, "test");
    while (db.expandContract.backfill().runBatch(ItemsDatabase.ID) == BatchOutcome.COPIED) {}

    WebEndpointResponse<Object> action =
        endpoint.act(OPERATOR, ItemsDatabase.ID, "compact", null, null);

    assertThat(action.getStatus()).isEqualTo(ExpandContractEndpoint.STATUS_REFUSED);
    assertThat(reason(action)).contains("pg_repack serves PostgreSQL only, this database is H2");
  }

  @Test
  void aContractWhoseDdlTheGuardRefusesIs409WithTheGuardsReasonNot503() throws Exception {
    ExpandContractEndpoint withScripts =
        endpoint(
            new FlywayContractScripts(
                db.dataSource,
                db.expandContract,
                "classpath:db/contract-refused/{id}",
                Duration.ofMillis(500),
                3,
                new ContractGate()));
    toNewOnly();

    WebEndpointResponse<Object> action =
        withScripts.act(OPERATOR, ItemsDatabase.ID, "contract", null, null);

    assertThat(action.getStatus()).isEqualTo(ExpandContractEndpoint.STATUS_REFUSED);
    assertThat(reason(action))
        .startsWith("contract refused: unknown DDL executor 'pt-osc'")
        .contains("ALTER TABLE items DROP COLUMN email")
        .contains("known: [native]");
    MigrationDescriptor state = ((ActionDescriptors.ErrorDescriptor) action.getBody()).migration();
    assertThat(state.phase()).isEqualTo("CONTRACTING");
    assertThat(state.lastError()).contains("contract stopped halfway");
    try (Connection c = db.dataSource.getConnection();
        ResultSet emails = c.createStatement().executeQuery("SELECT COUNT(email) FROM items")) {
      emails.next();
      assertThat(emails.getInt(1)).as("emails after the refused DROP COLUMN").isEqualTo(50);
    }
  }

  /** Backfill, verify, read 100% new, stop old writes, each acknowledged by this instance. */
  private void toNewOnly() throws Exception {
    MigrationControl control = db.expandContract.control();
    control.startBackfill(ItemsDatabase.ID, "test");
    while (db.expandContract.backfill().runBatch(ItemsDatabase.ID) == BatchOutcome.COPIED) {}
    control.verify(ItemsDatabase.ID, "test");
    control.readNew(ItemsDatabase.ID, 100, "test");
    db.expandContract.refresh();
    db.expandContract.refresh();
    control.stopOldWrites(ItemsDatabase.ID, "test");
    db.expandContract.refresh();
    db.expandContract.refresh();
  }

  private static String reason(WebEndpointResponse<Object> response) {
    return ((ActionDescriptors.ErrorDescriptor) response.getBody()).reason();
  }
}
