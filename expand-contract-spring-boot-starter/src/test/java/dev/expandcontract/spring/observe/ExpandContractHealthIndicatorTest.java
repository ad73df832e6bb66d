package dev.expandcontract.spring.observe;

import static dev.expandcontract.spring.observe.ItemsDatabase.ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.ExpandContractListener;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

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

  @SuppressWarnings("unchecked")
  private static Map<String, Object> details(Health health) {
    return (Map<String, Object>) health.getDetails().get(ID);
  }
}
