package dev.expandcontract.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.expandcontract.core.ExpandContract;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Issue 10: the demo's seeder writes the old columns directly, bypassing the library. When a
 * backfill starts while it seeds, the rows it commits afterwards lie above the fixed upper key and
 * are in old only: the seeder says so, and README's flow ({@code repair}) makes new whole.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"demo.seed-rows=0", "expand-contract.backfill.enabled=false"})
@ExtendWith(OutputCaptureExtension.class)
class SeederDriftTest {

  private static final String EMAIL = "customer-email";
  private static final int ROWS = 2_000;

  @Autowired JdbcTemplate jdbc;
  @Autowired TransactionTemplate transactions;
  @Autowired ExpandContract expandContract;

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    AbstractDemoTest.useDatabase(registry, TestDatabase.H2, "demo_seeder_drift");
  }

  @Test
  void rowsSeededAfterStartBackfillAreReportedAndRepaired(CapturedOutput output) throws Exception {
    // start-backfill arrives while the seeder's first chunk is open, before its rows are in.
    AtomicBoolean started = new AtomicBoolean();
    JdbcTemplate startingTheBackfillFirst =
        new JdbcTemplate(jdbc.getDataSource()) {
          @Override
          public int[] batchUpdate(String sql, List<Object[]> batchArgs) {
            if (started.compareAndSet(false, true)) {
              expandContract.control().startBackfill(EMAIL, "operator");
            }
            return super.batchUpdate(sql, batchArgs);
          }
        };
    DemoSeeder seeder =
        new DemoSeeder(
            startingTheBackfillFirst,
            transactions,
            expandContract,
            new DemoProperties(ROWS, new DemoProperties.Load(false, 0, 0)));
    seeder.seedInBackground();
    assertThat(seeder.awaitSeeded(Duration.ofSeconds(60))).isTrue();
    assertThat(seeder.insertedRows()).isEqualTo(ROWS);
    BatchOutcome outcome;
    do {
      outcome = expandContract.backfill().runBatch(EMAIL);
    } while (outcome.moreWorkNow());
    assertThat(expandContract.store().load(EMAIL).orElseThrow().phase())
        .isEqualTo(Phase.BACKFILLED);

    assertThat(output.getOut())
        .contains("rows seeded after its start-backfill bypassed the library")
        .contains("{\"action\":\"repair\"}");
    assertThatThrownBy(() -> expandContract.control().verify(EMAIL, "operator"))
        .as("old-only rows the backfill never saw")
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("found " + ROWS + " mismatches");

    RepairReport repair = expandContract.control().repair(EMAIL, "operator");

    assertThat(repair.repaired()).isEqualTo(ROWS);
    assertThat(repair.after().mismatches()).isZero();
    assertThat(
            jdbc.queryForObject(
                "SELECT COUNT(*) FROM customers WHERE email_normalized IS NULL", Long.class))
        .isZero();
  }
}
