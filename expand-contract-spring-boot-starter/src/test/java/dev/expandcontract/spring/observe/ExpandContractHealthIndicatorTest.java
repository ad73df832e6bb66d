package dev.expandcontract.spring.observe;

import static dev.expandcontract.spring.observe.ItemsDatabase.ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.sql.DatabaseType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.jdbc.datasource.DelegatingDataSource;

class ExpandContractHealthIndicatorTest {

  private final ItemsDatabase db = new ItemsDatabase("obs_health", ExpandContractListener.NO_OP);
  private final ExpandContractHealthIndicator indicator =
      new ExpandContractHealthIndicator(db.expandContract);

  @AfterEach
  void tearDown() {
    db.close();
  }

  @Test
  void reportsEachMigrationInTheDetails() {
    db.expandContract.control().startBackfill(ID, "test");

    Health health = indicator.health(true);

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(details(health))
        .containsEntry("phase", "BACKFILLING")
        .containsEntry("readPercent", 0)
        .containsEntry("paused", false)
        .containsEntry("lastError", null);
  }

  @Test
  void staysUpWhileABackfillIsPausedByAnError() throws Exception {
    db.expandContract.control().startBackfill(ID, "test");
    db.execute("ALTER TABLE items DROP COLUMN email_normalized");
    assertThat(db.expandContract.backfill().runBatch(ID)).isEqualTo(BatchOutcome.PAUSED);
    db.expandContract.refresh();

    Health health = indicator.health(true);

    assertThat(health.getStatus()).isEqualTo(Status.UP);
    assertThat(details(health)).containsEntry("paused", true);
    assertThat((String) details(health).get("lastError"))
        .startsWith("paused after 1 failed attempts");
  }

  @Test
  void unknownWhileTheDatabaseIsUnreachableAndDownOnceItAnswersThatAMigrationDoesNotFit() {
    AtomicBoolean reachable = new AtomicBoolean(false);
    DataSource outage =
        new DelegatingDataSource(db.dataSource) {
          @Override
          public Connection getConnection() throws SQLException {
            if (!reachable.get()) {
              throw new SQLTransientConnectionException("simulated outage", "08001");
            }
            return super.getConnection();
          }
        };
    ExpandContract expandContract =
        ExpandContract.builder(outage)
            .migration(
                Migration.column("item-code")
                    .table("items")
                    .key("id")
                    .map("email")
                    .to("no_such_column")
                    .using("email")
                    .build())
            .databaseType(DatabaseType.H2)
            .build();
    ExpandContractHealthIndicator health = new ExpandContractHealthIndicator(expandContract);

    Health unknown = health.health(true);
    assertThat(unknown.getStatus()).isEqualTo(Status.UNKNOWN);
    assertThat(details(unknown, "item-code")).containsEntry("phase", "UNKNOWN");
    assertThat((String) details(unknown, "item-code").get("lastError"))
        .contains("unreachable since");

    reachable.set(true);
    assertThatThrownBy(expandContract::refresh).isInstanceOf(InvalidMigrationException.class);
    Health down = health.health(true);
    assertThat(down.getStatus()).isEqualTo(Status.DOWN);
    assertThat((String) down.getDetails().get("error")).contains("no_such_column");
    assertThat((String) details(down, "item-code").get("lastError")).contains("no_such_column");
  }

  private static Map<String, Object> details(Health health) {
    return details(health, ID);
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> details(Health health, String id) {
    return (Map<String, Object>) health.getDetails().get(id);
  }
}
