package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.drift.SafetyNet.Presence;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.verify.VerificationReport;
import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The safety net (issue 10, "Drift"): triggers that keep new in step with old for a writer that
 * bypasses the application (plain JDBC on the old table), installed and removed by the library.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractSafetyNetTest {

  private static final int ROWS = 2_000;
  private static final long FIRST_INSERTED = 1_000_000;

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("safety_net_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void seed() {
    Customers.recreate(dataSource);
    Customers.seed(dataSource, ROWS, 7);
  }

  private static Model email() {
    return Customers.emailModel(false, Customers.smallBatches(50));
  }

  private static Model address() {
    return Customers.addressModel(true, Customers.smallBatches(50));
  }

  private ExpandContract instance(boolean safetyNet, Model model) {
    return instance(safetyNet, List.of(model.migration()));
  }

  private ExpandContract instance(boolean safetyNet, List<Migration> migrations) {
    return ExpandContract.builder(dataSource)
        .migrations(migrations)
        .instanceId("safety-net")
        .soakTime(Duration.ZERO)
        .tablePrefix(Customers.STATE_PREFIX)
        .safetyNet(safetyNet)
        .build();
  }

  // ---- a writer that bypasses the application, during the backfill ------------------------

  @Test
  void columnMigrationHasNoDriftWithTheNetOn() throws Exception {
    assertThat(backfillUnderBypassingWriter(email(), true)).isZero();
    Customers.assertConverged(dataSource, email());
  }

  @Test
  void tableMigrationHasNoDriftWithTheNetOn() throws Exception {
    assertThat(backfillUnderBypassingWriter(address(), true)).isZero();
    Customers.assertConverged(dataSource, address());
  }

  @Test
  void columnMigrationDriftsWithTheNetOff() throws Exception {
    assertThat(backfillUnderBypassingWriter(email(), false)).isPositive();
  }

  @Test
  void tableMigrationDriftsWithTheNetOff() throws Exception {
    assertThat(backfillUnderBypassingWriter(address(), false)).isPositive();
  }

  /**
   * Runs the backfill to its end while a plain-JDBC writer inserts (above the upper key), updates
   * and deletes customers, then writes once more after the last batch; then verifies.
   *
   * @return the mismatches verification found
   */
  private long backfillUnderBypassingWriter(Model model, boolean safetyNet) throws Exception {
    ExpandContract ec = instance(safetyNet, model);
    ec.control().startBackfill(model.id(), "test");
    assertThat(ec.safetyNets().presence(model.id()))
        .hasValue(safetyNet ? Presence.INSTALLED : Presence.ABSENT);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger writes = new AtomicInteger();
    CompletableFuture<Void> writer =
        CompletableFuture.runAsync(
            () -> {
              Random random = new Random(3);
              long next = FIRST_INSERTED;
              while (!stop.get()) {
                next = bypassingWrite(model, random, next);
                writes.incrementAndGet();
              }
            });
    try {
      Poll.until(Duration.ofSeconds(20), "the writer's first writes", () -> writes.get() > 20);
      BatchOutcome outcome;
      do {
        outcome = ec.backfill().runBatch(model.id());
        assertThat(outcome).isNotEqualTo(BatchOutcome.PAUSED);
      } while (outcome != BatchOutcome.FINISHED);
    } finally {
      stop.set(true);
      writer.get(30, TimeUnit.SECONDS);
    }
    // After the last batch: an insert and updates of copied rows that only the net can follow.
    bypassingWrite(model, new Random(5), FIRST_INSERTED + 500_000);
    assertThat(ec.state(model.id()).phase()).isEqualTo(Phase.BACKFILLED);
    try {
      VerificationReport report = ec.control().verify(model.id(), "test");
      assertThat(ec.state(model.id()).phase()).isEqualTo(Phase.VERIFIED);
      return report.mismatches();
    } catch (TransitionRefusedException refused) {
      return ec.store().load(model.id()).orElseThrow().verifyMismatches();
    }
  }

  /** One insert, three updates and one delete, each in its own auto-commit statement. */
  private long bypassingWrite(Model model, Random random, long next) {
    try (Connection connection = dataSource.getConnection()) {
      List<Object> values = model.randomValues().apply(random);
      List<String> columns = model.oldColumns();
      List<Object> params = new ArrayList<>(List.of(next, "Bypass " + next));
      params.addAll(values);
      TestSql.update(
          connection,
          "INSERT INTO customers (id, name, "
              + String.join(", ", columns)
              + ") VALUES (?, ?"
              + ", ?".repeat(columns.size())
              + ")",
          params.toArray());
      for (int i = 0; i < 3; i++) {
        List<Object> update = new ArrayList<>(model.randomValues().apply(random));
        update.add(1 + random.nextInt(ROWS));
        TestSql.update(
            connection,
            "UPDATE customers SET " + String.join(" = ?, ", columns) + " = ? WHERE id = ?",
            update.toArray());
      }
      TestSql.update(connection, "DELETE FROM customers WHERE id = ?", 1 + random.nextInt(ROWS));
    } catch (SQLException e) {
      // A deadlock victim or lock timeout rolled its statement back, old and new alike.
      if (e.getSQLState() == null
          || !e.getSQLState().startsWith("40")
              && e.getErrorCode() != 1205
              && !"55P03".equals(e.getSQLState())) {
        throw new IllegalStateException(e.getMessage(), e);
      }
    }
    return next + 1;
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** Backfills, verifies and reads 100% from new. */
  private ExpandContract readingNew(ExpandContract ec, String id) throws InterruptedException {
    ec.control().startBackfill(id, "test");
    while (ec.backfill().runBatch(id) != BatchOutcome.FINISHED) {
      assertThat(ec.state(id).phase()).isEqualTo(Phase.BACKFILLING);
    }
    ec.control().verify(id, "test");
    ec.control().readNew(id, 100, "test");
    return ec;
  }

  private String emailNormalized(long id) {
    return TestSql.rows(dataSource, "SELECT email_normalized FROM customers WHERE id = ?", id)
        .get(0)
        .get(0)
        .toString();
  }

  @Test
  void newOnlyWritesAreNeverOverwrittenAndContractDropsTheOldColumn() throws Exception {
    ExpandContract ec = readingNew(instance(true, email()), Customers.EMAIL);
    assertThat(ec.safetyNets().presence(Customers.EMAIL)).hasValue(Presence.INSTALLED);
    // An update of the new column alone (as NEW_ONLY writes) does not fire the net.
    TestSql.update(
        dataSource, "UPDATE customers SET email_normalized = 'mine@example.com' WHERE id = 5");
    assertThat(emailNormalized(5)).isEqualTo("mine@example.com");

    ec.control().stopOldWrites(Customers.EMAIL, "test");
    assertThat(ec.safetyNets().presence(Customers.EMAIL)).hasValue(Presence.ABSENT);
    // New is the truth now: a stale write to old must not reach it.
    TestSql.update(
        dataSource, "UPDATE customers SET email_normalized = 'app@example.com' WHERE id = 6");
    TestSql.update(dataSource, "UPDATE customers SET email = 'Stale@Example.com' WHERE id = 6");
    assertThat(emailNormalized(6)).isEqualTo("app@example.com");

    ec.control()
        .contract(
            Customers.EMAIL,
            "test",
            () -> TestSql.execute(dataSource, "ALTER TABLE customers DROP COLUMN email"));
    assertThat(ec.state(Customers.EMAIL).phase()).isEqualTo(Phase.CONTRACTED);
    TestSql.update(
        dataSource,
        "INSERT INTO customers (id, name, email_normalized) VALUES (?, 'After', 'after@example.com')",
        FIRST_INSERTED);
    assertThat(emailNormalized(FIRST_INSERTED)).isEqualTo("after@example.com");
  }

  @Test
  void tableMigrationContractDropsTheOldColumnsWithoutATriggerLeft() throws Exception {
    ExpandContract ec = readingNew(instance(true, address()), Customers.ADDRESS);
    ec.control().stopOldWrites(Customers.ADDRESS, "test");
    TestSql.update(
        dataSource, "UPDATE customer_addresses SET postal_code = 'NEW1' WHERE customer_id = 8");
    TestSql.update(dataSource, "UPDATE customers SET zip = 'stale' WHERE id = 8");
    assertThat(
            TestSql.rows(
                    dataSource, "SELECT postal_code FROM customer_addresses WHERE customer_id = 8")
                .get(0))
        .containsExactly("NEW1");

    ec.control()
        .contract(
            Customers.ADDRESS,
            "test",
            () ->
                TestSql.execute(
                    dataSource,
                    "ALTER TABLE customers DROP COLUMN street, DROP COLUMN city, DROP COLUMN zip"));
    TestSql.update(
        dataSource, "INSERT INTO customers (id, name) VALUES (?, 'After')", FIRST_INSERTED);
    TestSql.update(dataSource, "DELETE FROM customers WHERE id = 9");
    assertThat(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM customer_addresses"))
        .as("new rows, untouched by writes to the old table")
        .isEqualTo(ROWS);
  }

  @Test
  void enablingAndDisablingTakesEffectAtStartUp() {
    ExpandContract off = instance(false, address());
    off.control().startBackfill(Customers.ADDRESS, "test");
    assertThat(off.safetyNets().presence(Customers.ADDRESS)).hasValue(Presence.ABSENT);

    ExpandContract on = instance(true, address());
    assertThat(on.safetyNets().presence(Customers.ADDRESS)).hasValue(Presence.INSTALLED);
    TestSql.update(
        dataSource,
        "INSERT INTO customers (id, name, zip) VALUES (?, 'n', ' ab1 ')",
        FIRST_INSERTED);
    assertThat(
            TestSql.rows(
                    dataSource,
                    "SELECT postal_code FROM customer_addresses WHERE customer_id = ?",
                    FIRST_INSERTED)
                .get(0))
        .containsExactly("AB1");

    instance(false, address());
    assertThat(on.safetyNets().presence(Customers.ADDRESS)).hasValue(Presence.ABSENT);
  }

  @Test
  void rollbackRemovesTheNetAndTheNextBackfillInstallsIt() throws Exception {
    ExpandContract ec = instance(true, address());
    ec.control().startBackfill(Customers.ADDRESS, "test");
    ec.control().rollback(Customers.ADDRESS, "test");
    assertThat(ec.safetyNets().presence(Customers.ADDRESS)).hasValue(Presence.ABSENT);
    ec.control().startBackfill(Customers.ADDRESS, "test");
    assertThat(ec.safetyNets().presence(Customers.ADDRESS)).hasValue(Presence.INSTALLED);
  }

  @Test
  void aReSyncOfOldRunsWithoutTheNetAndItsEndInstallsIt() throws Exception {
    Migration reversible =
        Migration.column(Customers.EMAIL)
            .table("customers")
            .key("id")
            .map("email")
            .to("email_normalized")
            .using("lower(trim(email))")
            .reverse("email_normalized")
            .backfill(Customers.smallBatches(50))
            .build();
    ExpandContract ec = readingNew(instance(true, List.of(reversible)), Customers.EMAIL);
    ec.control().stopOldWrites(Customers.EMAIL, "test");
    ec.control().rollback(Customers.EMAIL, "test");
    // Old is re-synced from new: a net copying old over new would undo what the re-sync reads.
    assertThat(ec.state(Customers.EMAIL).resyncOld()).isTrue();
    assertThat(ec.safetyNets().presence(Customers.EMAIL)).hasValue(Presence.ABSENT);

    BatchOutcome outcome;
    do {
      outcome = ec.backfill().runBatch(Customers.EMAIL);
      assertThat(outcome).isNotIn(BatchOutcome.PAUSED, BatchOutcome.IDLE);
    } while (outcome != BatchOutcome.FINISHED);

    assertThat(ec.state(Customers.EMAIL).resyncOld()).isFalse();
    assertThat(ec.safetyNets().presence(Customers.EMAIL)).hasValue(Presence.INSTALLED);
    TestSql.update(dataSource, "UPDATE customers SET email = ' Again@Example.COM' WHERE id = 12");
    assertThat(emailNormalized(12)).isEqualTo("again@example.com");
  }

  @Test
  void instancesInstallingAndRemovingAtOnceEndWithTheNetAsWanted() throws Exception {
    List<ExpandContract> fleet = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      fleet.add(instance(true, address()));
    }
    for (boolean installed : new boolean[] {true, false, true}) {
      List<CompletableFuture<Void>> racing = new ArrayList<>();
      for (ExpandContract ec : fleet) {
        racing.add(
            CompletableFuture.runAsync(
                () -> {
                  if (installed) {
                    ec.safetyNets().beforeBackfill(Customers.ADDRESS);
                  } else {
                    ec.safetyNets().beforeOldWritesStop(Customers.ADDRESS);
                  }
                }));
      }
      for (CompletableFuture<Void> one : racing) {
        one.get(60, TimeUnit.SECONDS); // none fails
      }
      assertThat(fleet.get(0).safetyNets().presence(Customers.ADDRESS))
          .hasValue(installed ? Presence.INSTALLED : Presence.ABSENT);
    }
  }
}
