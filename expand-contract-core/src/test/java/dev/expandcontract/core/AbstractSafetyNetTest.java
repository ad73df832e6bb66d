package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.Customers.Model;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.drift.SafetyNet.Presence;
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

  private ExpandContract instance(boolean safetyNet, Model... models) {
    return ExpandContract.builder(dataSource)
        .migrations(List.of(models).stream().map(Model::migration).toList())
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
}
