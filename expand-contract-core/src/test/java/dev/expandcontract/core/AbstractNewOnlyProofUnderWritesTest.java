package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * stop-old-writes proves the new-only write path on the newest rows before it switches (issue 13
 * item 4). The service keeps writing meanwhile: a dual write committed between the proof's read of
 * a row's old values and its comparison with the row's new column must not count as a mismatch,
 * since old and new agreed at every committed moment. (Found by the sample service's
 * SampleYamlPostgresTest under traffic, as "differs from what the new schema holds for keys [780,
 * 730]" on rows that agreed in the database.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractNewOnlyProofUnderWritesTest {

  private static final String PREFIX = "ec_proof_";
  private static final String AMOUNT = "order-amount";

  private HikariDataSource pool;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    pool = database().create("proof_" + database().name().toLowerCase());
    TestSql.execute(
        pool,
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, amount_text VARCHAR(20),"
            + " amount NUMERIC(10,2))");
    for (long id = 1; id <= 20; id++) {
      TestSql.update(pool, "INSERT INTO orders (id, amount_text) VALUES (?, ?)", id, id + ".50");
    }
  }

  @AfterAll
  void closeDatabase() {
    pool.close();
  }

  @Test
  void aDualWriteCommittedDuringTheProofIsNotAMismatch() throws Exception {
    CountingDataSource dataSource = new CountingDataSource(pool);
    // As YAML declares a type change: SQL transforms only, so stop-old-writes proves the SQL path.
    Migration amount =
        Migration.column(AMOUNT)
            .table("orders")
            .key("id")
            .map("amount_text")
            .to("amount")
            .using("CAST(amount_text AS DECIMAL(10,2))")
            .reverse("CAST(amount AS CHAR(20))")
            .build();
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(amount)
            .instanceId("proof")
            .soakTime(Duration.ZERO)
            .tablePrefix(PREFIX)
            .build();
    ec.control().startBackfill(AMOUNT, "test");
    BatchOutcome outcome;
    do {
      outcome = ec.backfill().runBatch(AMOUNT);
    } while (outcome == BatchOutcome.COPIED);
    assertThat(ec.control().verify(AMOUNT, "test").mismatches()).isZero();
    ec.control().readNew(AMOUNT, 100, "test");
    ec.refresh();
    ec.refresh();

    // A client's save of order 20 (old and new in one transaction, committed) lands after the proof
    // read the newest rows' old values and before it compares order 20's new column.
    dataSource.beforeFirstPrepare(
        "SELECT CASE WHEN",
        () ->
            TestSql.update(
                pool, "UPDATE orders SET amount_text = '77.25', amount = 77.25 WHERE id = 20"));
    ec.control().stopOldWrites(AMOUNT, "test");

    assertThat(ec.store().load(AMOUNT).orElseThrow().phase()).isEqualTo(Phase.NEW_ONLY);
  }
}
