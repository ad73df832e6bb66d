package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.internal.store.OldColumnTypes.OldColumn;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.core.sql.ColumnType;
import dev.expandcontract.test.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/** Review of 25d6749 (value forms): failing tests for defects found. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class AbstractReviewValueFormsTest {

  private static final String PREFIX = "ec_rvw_";
  private static final String ID = "rvw";

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("rvw_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void freshSchema() {
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS rvw_people",
        "DROP TABLE IF EXISTS rvw_orders",
        "DROP TABLE IF EXISTS rvw_prices",
        "DROP TABLE IF EXISTS " + PREFIX + "migration",
        "DROP TABLE IF EXISTS " + PREFIX + "transition",
        "DROP TABLE IF EXISTS " + PREFIX + "instance",
        "DROP TABLE IF EXISTS " + PREFIX + "chunk",
        "DROP TABLE IF EXISTS " + PREFIX + "poison",
        "DROP TABLE IF EXISTS " + PREFIX + "old_column",
        // A migration that widens a too-narrow column while normalising it.
        "CREATE TABLE rvw_people (id BIGINT PRIMARY KEY, email VARCHAR(10),"
            + " email_normalized VARCHAR(100))",
        "CREATE TABLE rvw_orders (id BIGINT PRIMARY KEY, amount DECIMAL(10,2),"
            + " amount_text VARCHAR(20))",
        "CREATE TABLE rvw_prices (id BIGINT PRIMARY KEY, price_cents BIGINT, currency VARCHAR(3),"
            + " price NUMERIC(10,2), currency_code VARCHAR(3))",
        "INSERT INTO rvw_prices (id, price_cents, currency) VALUES (1, 1200, 'eur')");
    for (long id = 1; id <= 5; id++) {
      TestSql.update(
          dataSource, "INSERT INTO rvw_people (id, email) VALUES (?, ?)", id, "P" + id + "@X.IO");
      TestSql.update(
          dataSource,
          "INSERT INTO rvw_orders (id, amount) VALUES (?, ?)",
          id,
          new BigDecimal(id + ".50"));
    }
  }

  private ExpandContract start(Migration migration) {
    return ExpandContract.builder(dataSource)
        .migration(migration)
        .instanceId("rvw")
        .soakTime(Duration.ZERO)
        .tablePrefix(PREFIX)
        .build();
  }

  private static void toNewOnly(ExpandContract ec) throws InterruptedException {
    ec.control().startBackfill(ID, "test");
    BatchOutcome outcome;
    do {
      outcome = ec.backfill().runBatch(ID);
    } while (outcome == BatchOutcome.COPIED);
    assertThat(ec.control().verify(ID, "test").mismatches()).isZero();
    ec.control().readNew(ID, 100, "test");
    ec.refresh();
    ec.refresh();
    ec.control().stopOldWrites(ID, "test");
  }

  /**
   * PostgreSQL: new-only writes bind the value as CAST(? AS varchar(10)), and an explicit cast to
   * varchar(n) truncates silently: the new column (100 wide) gets the first 10 characters. The old
   * column would have refused the value; the new one would have taken all of it.
   */
  @Test
  void newOnlyWriteOfAValueLongerThanTheOldColumnIsNotTruncated() throws Exception {
    ExpandContract ec =
        start(
            Migration.column(ID)
                .table("rvw_people")
                .key("id")
                .map("email")
                .to("email_normalized")
                .using("lower(email)")
                .reverse("email_normalized")
                .build());
    toNewOnly(ec);

    try (Connection connection = dataSource.getConnection()) {
      ec.rows(ID).write(connection, 3L, List.of("Somebody@Example.COM"), ValueForm.OLD, false);
    }

    assertThat(TestSql.rows(dataSource, "SELECT email_normalized FROM rvw_people WHERE id = 3"))
        .containsExactly(List.of("somebody@example.com"));
  }

  /**
   * MariaDB: new-only writes bind the value as a plain ?, so the transform sees the application's
   * BigDecimal (scale 1) instead of the DECIMAL(10,2) the old column and the backfill gave it:
   * CAST(amount AS CHAR) writes '7.5' where every other path (and PostgreSQL) writes '7.50'.
   */
  @Test
  void newOnlyWriteComputesFromTheValueAsTheOldColumnWouldHoldIt() throws Exception {
    ExpandContract ec =
        start(
            Migration.column(ID)
                .table("rvw_orders")
                .key("id")
                .map("amount")
                .to("amount_text")
                .using("CAST(amount AS CHAR(20))")
                .reverse("CAST(amount_text AS DECIMAL(10,2))")
                .build());
    try (Connection connection = dataSource.getConnection()) {
      // The dual-write path, for comparison: old holds 7.50, new gets transform(old) = '7.50'.
      ec.rows(ID).write(connection, 1L, List.of(new BigDecimal("7.5")), ValueForm.OLD, true);
    }
    toNewOnly(ec);
    try (Connection connection = dataSource.getConnection()) {
      ec.rows(ID).write(connection, 2L, List.of(new BigDecimal("7.5")), ValueForm.OLD, false);
    }

    assertThat(TestSql.rows(dataSource, "SELECT amount_text FROM rvw_orders WHERE id = 1"))
        .containsExactly(List.of("7.50"));
    assertThat(TestSql.rows(dataSource, "SELECT amount_text FROM rvw_orders WHERE id = 2"))
        .as("new-only write of the same value")
        .containsExactly(List.of("7.50"));
  }

  /**
   * After the contract, validateContracted keeps the old column names as declared ("EMAIL") while
   * before it they were the database's ("email"): the derived table's alias becomes "EMAIL"
   * (quoted), which the transform's unquoted email no longer resolves to on PostgreSQL, so every
   * new-only write of the release that ran the contract fails.
   */
  @Test
  void theReleaseThatContractedWritesWhenTheDeclarationSpellsTheOldColumnInAnotherCase()
      throws Exception {
    Migration migration =
        Migration.column(ID)
            .table("rvw_people")
            .key("id")
            .map("EMAIL")
            .to("email_normalized")
            .using("lower(email)")
            .reverse("email_normalized")
            .build();
    ExpandContract before = start(migration);
    toNewOnly(before);
    before.refresh();
    before.refresh();
    before
        .control()
        .contract(
            ID,
            "test",
            () -> TestSql.execute(dataSource, "ALTER TABLE rvw_people DROP COLUMN email"));

    ExpandContract restarted = start(migration);
    try (Connection connection = dataSource.getConnection()) {
      restarted.rows(ID).write(connection, 4L, List.of("New@X.IO"), ValueForm.OLD, false);
    }
    assertThat(TestSql.rows(dataSource, "SELECT email_normalized FROM rvw_people WHERE id = 4"))
        .containsExactly(List.of("new@x.io"));
  }

  /**
   * Several instances starting at once record the old column types at the same moment: DELETE then
   * INSERT in one transaction. On MariaDB (REPEATABLE READ) both DELETEs take the same gap lock and
   * both INSERTs wait for the other's: a deadlock (SQLSTATE 40001), which remember() does not
   * tolerate (only class 23), so an instance fails to start.
   */
  @Test
  void instancesRecordingTheOldColumnTypesAtOnceDoNotFail() throws Exception {
    ExpandContract ec =
        start(
            Migration.column(ID)
                .table("rvw_people")
                .key("id")
                .map("email")
                .to("email_normalized")
                .using("lower(email)")
                .reverse("email_normalized")
                .build());
    List<OldColumn> types =
        List.of(
            new OldColumn("email", new ColumnType(Types.VARCHAR, "varchar", 10, null)),
            new OldColumn("region", new ColumnType(Types.VARCHAR, "varchar", 20, null)));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 40; round++) {
        TestSql.execute(dataSource, "DELETE FROM " + PREFIX + "old_column");
        String id = "m" + round;
        CyclicBarrier barrier = new CyclicBarrier(2);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          futures.add(
              pool.submit(
                  () -> {
                    barrier.await();
                    ec.store().oldColumnTypes().remember(id, types);
                    return null;
                  }));
        }
        for (Future<?> f : futures) {
          f.get(30, TimeUnit.SECONDS);
        }
        assertThat(ec.store().oldColumnTypes().recalled(id)).isEqualTo(types);
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * A field typed for the old column (Long price_cents; BIGINT holds it, so the form is OLD) is
   * filled from new when the key reads new (MigratedEntities.fill assigns readNew's values whatever
   * the form): it then holds 12 (price 12.00 as a Long), a new-form value. A save that changes only
   * the sibling field (currency) writes every field of the migration as old-form values: old
   * price_cents becomes 12 and new price transform(12) = 0.12. Both schemas lose the price. Here
   * the starter's two steps are done by hand: readNew, the starter's exact conversion to the
   * field's type (longValueExact), write(OLD).
   */
  @Test
  void aFieldOfOldFormReadFromNewAndSavedWithASiblingChangeKeepsItsValue() throws Exception {
    ExpandContract ec = start(prices(true));
    toVerified(ec);
    ec.control().readNew(ID, 100, "test");
    ec.refresh();

    try (Connection connection = dataSource.getConnection()) {
      List<Object> fromNew = ec.rows(ID).readNew(connection, List.of(1L), ValueForm.OLD).get(1L);
      Long priceCentsField = new BigDecimal(fromNew.get(0).toString()).longValueExact();
      // The application changes the currency only; the state still writes old.
      ec.rows(ID).write(connection, 1L, List.of(priceCentsField, "usd"), ValueForm.OLD, true);
    }

    assertThat(
            TestSql.rows(dataSource, "SELECT price_cents FROM rvw_prices WHERE id = 1")
                .get(0)
                .get(0))
        .asString()
        .isEqualTo("1200");
  }

  /**
   * Without a reverse, a value read from new would reach an old-typed field as it is; read-new
   * refuses unless the transform maps new values to themselves, which cents to dollars does not.
   */
  @Test
  void readNewRefusesWhenAValueReadFromNewCouldNotBeSavedBack() throws Exception {
    ExpandContract ec = start(prices(false));
    toVerified(ec);

    assertThatThrownBy(() -> ec.control().readNew(ID, 10, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("reads from new could not be saved back")
        .hasMessageContaining("new column 'price' has no reverse");
    assertThat(ec.store().load(ID).orElseThrow().phase()).isEqualTo(Phase.VERIFIED);
  }

  private static Migration prices(boolean reverse) {
    Migration.ColumnBuilder builder =
        Migration.column(ID)
            .table("rvw_prices")
            .key("id")
            .map("price_cents")
            .to("price")
            .using("CAST(price_cents / 100.0 AS DECIMAL(10,2))");
    if (reverse) {
      builder.reverse("CAST(price * 100 AS DECIMAL(12,0))");
    }
    builder.map("currency").to("currency_code").using("upper(currency)");
    if (reverse) {
      builder.reverse("lower(currency_code)");
    }
    return builder.build();
  }

  private static void toVerified(ExpandContract ec) throws InterruptedException {
    ec.control().startBackfill(ID, "test");
    while (ec.backfill().runBatch(ID) == BatchOutcome.COPIED) {}
    assertThat(ec.control().verify(ID, "test").mismatches()).isZero();
  }
}
