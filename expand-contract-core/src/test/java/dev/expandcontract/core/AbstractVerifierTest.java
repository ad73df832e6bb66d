package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.event.ExpandContractListener;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.verify.RepairReport;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The verifier finds drift that writers bypassing the application leave behind (DESIGN.md:
 * "verification finds their drift and says so"): it counts it and names the keys, including drift a
 * case- or pad-insensitive comparison would hide.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractVerifierTest {

  private static final int ROWS = 300;
  private static final String EMAIL = Customers.EMAIL;
  private static final String ADDRESS = Customers.ADDRESS;

  private HikariDataSource dataSource;
  private final Set<Object> shadowMismatches = ConcurrentHashMap.newKeySet();

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("verifier_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 11);
    // Known, consistent starting values for the rows the tests damage.
    TestSql.execute(
        dataSource,
        "UPDATE customers SET email = ' Known.Person@Example.COM', city = 'Lyon'"
            + " WHERE id BETWEEN 10 AND 20 OR id BETWEEN 120 AND 130 OR id BETWEEN 270 AND 290");
    shadowMismatches.clear();
  }

  private ExpandContract verified(Migration... migrations) throws InterruptedException {
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migrations(List.of(migrations))
            .instanceId("verifier")
            .soakTime(Duration.ZERO)
            .tablePrefix(Customers.STATE_PREFIX)
            .verifyBatchSize(40) // several verification batches over 300 rows
            .listener(
                new ExpandContractListener() {
                  @Override
                  public void shadowMismatch(String migrationId, Object key) {
                    shadowMismatches.add(key);
                  }
                })
            .build();
    for (Migration migration : migrations) {
      ec.control().startBackfill(migration.id(), "test");
      BatchOutcome outcome;
      do {
        outcome = ec.backfill().runBatch(migration.id());
        assertThat(outcome).isIn(BatchOutcome.COPIED, BatchOutcome.FINISHED);
      } while (outcome != BatchOutcome.FINISHED);
      VerificationReport clean = ec.control().verify(migration.id(), "test");
      assertThat(clean.mismatches()).as(clean.summary()).isZero();
      assertThat(clean.rowsChecked()).isEqualTo(ROWS);
    }
    return ec;
  }

  private static Migration email() {
    return Customers.emailModel(false, Customers.smallBatches(50)).migration();
  }

  private static Migration address() {
    return Customers.addressModel(false, Customers.smallBatches(50)).migration();
  }

  @Test
  void columnDriftIsCountedAndNamed() throws Exception {
    ExpandContract ec = verified(email());
    TestSql.execute(
        dataSource,
        "UPDATE customers SET email_normalized = 'wrong@example.com' WHERE id = 17",
        "UPDATE customers SET email_normalized = UPPER(email_normalized) WHERE id = 123",
        "UPDATE customers SET email_normalized = CONCAT(email_normalized, '  ') WHERE id = 124",
        "UPDATE customers SET email_normalized = NULL WHERE id = 280",
        // The old value changed behind the application's back: new is now stale.
        "UPDATE customers SET email = 'Someone@Else.org' WHERE id = 288");

    VerificationReport report = ec.control().verify(EMAIL, "operator");

    assertThat(report.rowsChecked()).isEqualTo(ROWS);
    assertThat(report.mismatched()).as(report.summary()).isEqualTo(5);
    assertThat(report.extra()).isZero();
    assertThat(report.sampleKeys())
        .containsExactly(
            "17 (differs)", "123 (differs)", "124 (differs)", "280 (differs)", "288 (differs)");
    // In VERIFIED a verification reports drift; it does not move the phase.
    MigrationStatus status = ec.status(EMAIL);
    assertThat(status.phase()).isEqualTo(Phase.VERIFIED);
    assertThat(status.verifyMismatches()).isEqualTo(5);
    assertThat(status.verifySample()).contains("17 (differs)", "288 (differs)");

    assertShadowReadsFlag(ec, EMAIL, Set.of(17L, 123L, 124L, 280L, 288L));
  }

  @Test
  void tableDriftIsCountedAndNamed() throws Exception {
    ExpandContract ec = verified(address());
    TestSql.execute(
        dataSource,
        "UPDATE customer_addresses SET street = 'Nowhere 1' WHERE customer_id = 11",
        "UPDATE customer_addresses SET city = UPPER(city) WHERE customer_id = 12",
        "DELETE FROM customer_addresses WHERE customer_id = 13",
        // Deleted from old by a script: its new row lives on.
        "DELETE FROM customers WHERE id = 14",
        // Inserted by a script into old only, and into new only.
        "INSERT INTO customers (id, name, street, city, zip) VALUES (301, 'Script', 'S', 'T', '1')",
        "INSERT INTO customer_addresses (customer_id, street, city, postal_code)"
            + " VALUES (100000, 'Ghost', 'Town', '0')");

    VerificationReport report = ec.control().verify(ADDRESS, "operator");

    assertThat(report.mismatched()).as(report.summary()).isEqualTo(4);
    assertThat(report.extra()).as(report.summary()).isEqualTo(2);
    assertThat(report.mismatches()).isEqualTo(6);
    assertThat(report.sampleKeys())
        .containsExactlyInAnyOrder(
            "11 (differs)",
            "12 (differs)",
            "13 (differs)",
            "301 (differs)",
            "14 (only in new)",
            "100000 (only in new)");
    assertThat(ec.status(ADDRESS).verifyMismatches()).isEqualTo(6);

    assertShadowReadsFlag(ec, ADDRESS, Set.of(11L, 12L, 13L, 301L));
  }

  @Test
  void driftFoundInBackfilledRefusesVerifiedAndNamesTheKeys() throws Exception {
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(address())
            .tablePrefix(Customers.STATE_PREFIX)
            .build();
    ec.control().startBackfill(ADDRESS, "test");
    while (ec.backfill().runBatch(ADDRESS) != BatchOutcome.FINISHED) {
      assertThat(ec.status(ADDRESS).phase()).isEqualTo(Phase.BACKFILLING);
    }
    TestSql.execute(dataSource, "DELETE FROM customer_addresses WHERE customer_id = 42");

    assertThatThrownBy(() -> ec.control().verify(ADDRESS, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("1 mismatches")
        .hasMessageContaining("42 (differs)");
    assertThat(ec.status(ADDRESS).phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(ec.status(ADDRESS).verifyMismatches()).isEqualTo(1);
  }

  @Test
  void repairRecopiesDriftAndRowsAboveTheUpperKeyThenVerificationPasses() throws Exception {
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(email())
            .tablePrefix(Customers.STATE_PREFIX)
            .verifyBatchSize(40)
            .build();
    ec.control().startBackfill(EMAIL, "test");
    // A seeder bypassing the application inserts old-only rows above the fixed upper key.
    TestSql.execute(
        dataSource,
        "INSERT INTO customers (id, name, email, street, city, zip)"
            + " VALUES (301, 'Seeded', 'New.One@Example.COM', 'S', 'T', '1'),"
            + " (302, 'Seeded', 'New.Two@Example.COM', 'S', 'T', '1')");
    while (ec.backfill().runBatch(EMAIL) != BatchOutcome.FINISHED) {
      assertThat(ec.status(EMAIL).phase()).isEqualTo(Phase.BACKFILLING);
    }
    // And a script changes old behind the application's back.
    TestSql.execute(dataSource, "UPDATE customers SET email = 'Someone@Else.org' WHERE id = 42");
    assertThatThrownBy(() -> ec.control().verify(EMAIL, "operator"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("3 mismatches");

    RepairReport repair = ec.control().repair(EMAIL, "operator");

    assertThat(repair.repaired()).isEqualTo(3);
    assertThat(repair.after().mismatches()).as(repair.after().summary()).isZero();
    assertThat(repair.after().rowsChecked()).isEqualTo(ROWS + 2);
    MigrationStatus status = ec.status(EMAIL);
    assertThat(status.phase()).isEqualTo(Phase.BACKFILLED);
    assertThat(status.verifyMismatches()).isZero();
    assertThat(status.recentTransitions())
        .anySatisfy(
            t -> {
              assertThat(t.actor()).isEqualTo("operator");
              assertThat(t.reason()).startsWith("repair: re-copied 3 key(s)");
            });
    assertThat(ec.control().verify(EMAIL, "operator").mismatches()).isZero();
    assertThat(ec.status(EMAIL).phase()).isEqualTo(Phase.VERIFIED);
  }

  @Test
  void aJavaTwinThatDisagreesWithTheSqlTransformIsCaught() throws Exception {
    // The twin forgets lower(): dual writes store what the backfill never would.
    Migration sloppyTwin =
        Migration.column(EMAIL)
            .table("customers")
            .key("id")
            .map("email")
            .to("email_normalized")
            .using("lower(trim(email))")
            .usingJava(v -> v == null ? null : v.toString().trim())
            .backfill(Customers.smallBatches(50))
            .build();
    ExpandContract ec = verified(sloppyTwin);
    Customers.Model model = Customers.emailModel(false, Customers.smallBatches(50));
    for (long id : new long[] {15, 125, 285}) {
      Customers.inTransaction(
          dataSource, Customers.update(ec, model, id, List.of("Mixed.Case" + id + "@Example.COM")));
    }

    VerificationReport report = ec.control().verify(EMAIL, "operator");

    assertThat(report.mismatched()).as(report.summary()).isEqualTo(3);
    assertThat(report.sampleKeys())
        .containsExactly("15 (differs)", "125 (differs)", "285 (differs)");
  }

  private void assertShadowReadsFlag(ExpandContract ec, String id, Set<Long> drifted)
      throws Exception {
    List<Long> keys = LongStream.rangeClosed(1, ROWS + 1).boxed().toList();
    try (Connection connection = dataSource.getConnection()) {
      ec.rows(id).readOldComparingNew(connection, keys);
    }
    assertThat(shadowMismatches.stream().map(k -> ((Number) k).longValue()))
        .as("keys a shadow read flags")
        .containsExactlyInAnyOrderElementsOf(drifted);
  }
}
