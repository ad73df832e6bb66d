package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.backfill.BatchOutcome;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.ValueForm;
import dev.expandcontract.core.phase.Phase;
import dev.expandcontract.core.phase.TransitionRefusedException;
import dev.expandcontract.test.TestDatabase;
import java.math.BigDecimal;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 13, items 3 and 4: a migration without Java twins (as YAML declares it) writes correct new
 * values once the old schema is no longer written, a value typed for the new column (a BigDecimal
 * for a VARCHAR moving to NUMERIC) is read from old and written to old through the transforms, and
 * stop-old-writes refuses when the new-only write path could not produce the new values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class AbstractValueFormsTest {

  private static final String PREFIX = "ec_forms_";
  private static final String EMAIL = "people-email";
  private static final String AMOUNT = "order-amount";

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("forms_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void freshSchema() {
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS people_contact",
        "DROP TABLE IF EXISTS people",
        "DROP TABLE IF EXISTS orders",
        "DROP TABLE IF EXISTS " + PREFIX + "migration",
        "DROP TABLE IF EXISTS " + PREFIX + "transition",
        "DROP TABLE IF EXISTS " + PREFIX + "instance",
        "DROP TABLE IF EXISTS " + PREFIX + "chunk",
        "DROP TABLE IF EXISTS " + PREFIX + "poison",
        "DROP TABLE IF EXISTS " + PREFIX + "old_column",
        "CREATE TABLE people (id BIGINT PRIMARY KEY, email VARCHAR(100), region VARCHAR(10),"
            + " email_normalized VARCHAR(100))",
        "CREATE TABLE people_contact (person_id BIGINT PRIMARY KEY, email_key VARCHAR(120))",
        "CREATE TABLE orders (id BIGINT PRIMARY KEY, amount_text VARCHAR(20),"
            + " amount NUMERIC(10,2))");
    for (long id = 1; id <= 20; id++) {
      TestSql.update(
          dataSource,
          "INSERT INTO people (id, email, region) VALUES (?, ?, ?)",
          id,
          " Person" + id + "@Example.COM ",
          "eu");
      TestSql.update(
          dataSource, "INSERT INTO orders (id, amount_text) VALUES (?, ?)", id, id + ".50");
    }
  }

  /** As YAML declares them: SQL transforms only. */
  private static Migration email(String transform) {
    return Migration.column(EMAIL)
        .table("people")
        .key("id")
        .map("email")
        .to("email_normalized")
        .using(transform)
        .reverse("email_normalized")
        .build();
  }

  private static Migration amount(boolean javaTwins) {
    Migration.ColumnBuilder builder =
        Migration.column(AMOUNT).table("orders").key("id").map("amount_text").to("amount");
    builder.using("CAST(amount_text AS DECIMAL(10,2))").reverse("CAST(amount AS CHAR(20))");
    if (javaTwins) {
      builder
          .usingJava(v -> v == null ? null : new BigDecimal(((String) v).strip()))
          .reverseJava(v -> v == null ? null : ((BigDecimal) v).toPlainString());
    }
    return builder.build();
  }

  private ExpandContract start(Migration migration) {
    return ExpandContract.builder(dataSource)
        .migration(migration)
        .instanceId("forms")
        .soakTime(Duration.ZERO)
        .tablePrefix(PREFIX)
        .build();
  }

  private static void toFullReads(ExpandContract ec, String id) throws InterruptedException {
    ec.control().startBackfill(id, "test");
    BatchOutcome outcome;
    do {
      outcome = ec.backfill().runBatch(id);
    } while (outcome == BatchOutcome.COPIED);
    assertThat(ec.control().verify(id, "test").mismatches()).isZero();
    ec.control().readNew(id, 100, "test");
    ec.refresh();
    ec.refresh();
  }

  @Test
  void newOnlyWritesWithoutAJavaTwinComputeTheNewValueWithTheSqlTransform() throws Exception {
    ExpandContract ec = start(email("lower(trim(email))"));
    toFullReads(ec, EMAIL);
    ec.control().stopOldWrites(EMAIL, "test");

    try (Connection connection = dataSource.getConnection()) {
      ec.rows(EMAIL).write(connection, 3L, List.of("  Changed@Example.COM "), ValueForm.OLD, false);
    }

    assertThat(TestSql.rows(dataSource, "SELECT email, email_normalized FROM people WHERE id = 3"))
        .containsExactly(List.of(" Person3@Example.COM ", "changed@example.com"));
  }

  @Test
  void newOnlyWritesOfATypeChangeWithoutATwinConvertInSql() throws Exception {
    ExpandContract ec = start(amount(false));
    toFullReads(ec, AMOUNT);
    ec.control().stopOldWrites(AMOUNT, "test");

    try (Connection connection = dataSource.getConnection()) {
      ec.rows(AMOUNT).write(connection, 4L, List.of("99.75"), ValueForm.OLD, false);
      ec.rows(AMOUNT)
          .write(connection, 5L, java.util.Collections.singletonList(null), ValueForm.OLD, false);
    }

    assertThat(amountOf(4L)).isEqualByComparingTo("99.75");
    assertThat(amountOf(5L)).isNull();
  }

  @Test
  void aValueTypedForTheNewColumnIsReadAndWrittenThroughTheSqlTransforms() throws Exception {
    assertNewFormRoundTrip(start(amount(false)));
  }

  @Test
  void aValueTypedForTheNewColumnIsReadAndWrittenThroughTheJavaTwins() throws Exception {
    assertNewFormRoundTrip(start(amount(true)));
  }

  private void assertNewFormRoundTrip(ExpandContract ec) throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      // Before the backfill: the new column is empty, the old one has the value.
      Map<Object, List<Object>> read =
          ec.rows(AMOUNT).readOld(connection, List.of(6L), ValueForm.NEW);
      assertThat((BigDecimal) read.get(6L).get(0)).isEqualByComparingTo("6.50");

      // EXPANDED: old and new are both written, old from the new-form value.
      ec.rows(AMOUNT).write(connection, 6L, List.of(new BigDecimal("12.25")), ValueForm.NEW, true);
      assertThat(
              TestSql.rows(dataSource, "SELECT amount_text FROM orders WHERE id = 6").get(0).get(0))
          .asString()
          .isEqualToIgnoringWhitespace("12.25");
      assertThat(amountOf(6L)).isEqualByComparingTo("12.25");
    }
    toFullReads(ec, AMOUNT);
    ec.control().stopOldWrites(AMOUNT, "test");
    try (Connection connection = dataSource.getConnection()) {
      // NEW_ONLY: the value goes to new as it is; old keeps what it had.
      ec.rows(AMOUNT).write(connection, 6L, List.of(new BigDecimal("13.00")), ValueForm.NEW, false);
    }
    assertThat(amountOf(6L)).isEqualByComparingTo("13.00");
    assertThat(
            TestSql.rows(dataSource, "SELECT amount_text FROM orders WHERE id = 6").get(0).get(0))
        .asString()
        .isEqualToIgnoringWhitespace("12.25");
  }

  @Test
  void newOnlyWritesOfAColumnMigrationComputeFromTheRestOfTheRowToo() throws Exception {
    ExpandContract ec = start(email("concat(lower(trim(email)), '/', region)"));
    toFullReads(ec, EMAIL);
    ec.control().stopOldWrites(EMAIL, "test");
    TestSql.update(dataSource, "UPDATE people SET region = 'us' WHERE id = 8");

    try (Connection connection = dataSource.getConnection()) {
      ec.rows(EMAIL).write(connection, 8L, List.of(" Moved@Example.COM"), ValueForm.OLD, false);
    }

    assertThat(TestSql.rows(dataSource, "SELECT email_normalized FROM people WHERE id = 8"))
        .containsExactly(List.of("moved@example.com/us"));
  }

  @Test
  void stopOldWritesRefusesWhenNewOnlyWritesCouldNotComputeTheNewValue() throws Exception {
    // The new table's transform reads an old column the migration does not map: once the old row
    // is no longer written, a value alone cannot compute it.
    ExpandContract ec =
        start(
            Migration.table(EMAIL)
                .from("people")
                .key("id")
                .into("people_contact")
                .newKey("person_id")
                .map("email")
                .to("email_key")
                .using("concat(lower(trim(email)), '/', region)")
                .reverse("email_key")
                .build());
    toFullReads(ec, EMAIL);

    assertThatThrownBy(() -> ec.control().stopOldWrites(EMAIL, "test"))
        .isInstanceOf(TransitionRefusedException.class)
        .hasMessageContaining("new-only writes could not produce the new schema's values")
        .hasMessageContaining("new column 'email_key'")
        .hasMessageContaining("region");
    assertThat(ec.store().load(EMAIL).orElseThrow().phase()).isEqualTo(Phase.READ_NEW);
  }

  @Test
  void theReleaseThatContractedStillKnowsTheDroppedColumnsTypesAndWritesThroughTheTransform()
      throws Exception {
    ExpandContract before = start(amount(false));
    List<Object> typesBefore = List.copyOf(before.rows(AMOUNT).schema().oldColumnTypes());
    toFullReads(before, AMOUNT);
    before.control().stopOldWrites(AMOUNT, "test");
    before.refresh(); // acknowledges NEW_ONLY, as the scheduler would within two intervals
    before.refresh();
    before
        .control()
        .contract(
            AMOUNT,
            "test",
            () -> TestSql.execute(dataSource, "ALTER TABLE orders DROP COLUMN amount_text"));

    ExpandContract restarted = start(amount(false));

    assertThat(restarted.rows(AMOUNT).schema().oldColumnTypes())
        .as("old column types after the contract dropped the column")
        .isEqualTo(typesBefore)
        .isNotEmpty();
    try (Connection connection = dataSource.getConnection()) {
      restarted.rows(AMOUNT).write(connection, 9L, List.of("41.10"), ValueForm.OLD, false);
    }
    assertThat(amountOf(9L)).isEqualByComparingTo("41.10");
  }

  private BigDecimal amountOf(long id) {
    Object value =
        TestSql.rows(dataSource, "SELECT amount FROM orders WHERE id = ?", id).get(0).get(0);
    return value == null ? null : new BigDecimal(value.toString());
  }
}
