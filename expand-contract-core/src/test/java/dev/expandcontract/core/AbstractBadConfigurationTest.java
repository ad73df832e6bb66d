package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.expandcontract.core.migration.InvalidMigrationException;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.test.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A migration that cannot work fails at start-up, against the live schema, with a message that
 * names the migration, the property and the object; every problem is reported at once, and nothing
 * is created or executed before the declarations are known to be sound.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AbstractBadConfigurationTest {

  private HikariDataSource dataSource;

  protected abstract TestDatabase database();

  @BeforeAll
  void createDatabase() {
    dataSource = database().create("badconfig_" + database().name().toLowerCase());
  }

  @AfterAll
  void closeDatabase() {
    dataSource.close();
  }

  @BeforeEach
  void schema() {
    Customers.recreate(dataSource);
    TestSql.execute(
        dataSource,
        "DROP TABLE IF EXISTS customer_notes",
        "DROP TABLE IF EXISTS x",
        // A key that is not unique: several notes per customer.
        "CREATE TABLE customer_notes (customer_ref BIGINT NOT NULL, note VARCHAR(100),"
            + " street VARCHAR(200), city VARCHAR(100), postal_code VARCHAR(20))",
        "CREATE TABLE x (id INT)");
  }

  private static Migration.ColumnBuilder email(String id) {
    return Migration.column(id).table("customers").key("id");
  }

  private static Migration.TableBuilder address(String id) {
    return Migration.table(id).from("customers").key("id");
  }

  Stream<Arguments> badMigrations() {
    return Stream.of(
        bad(
            "missing table",
            Migration.column("m-table")
                .table("no_such_table")
                .key("id")
                .map("email")
                .to("email_normalized")
                .build(),
            "'m-table'",
            "table 'no_such_table'",
            "does not exist"),
        bad(
            "missing new table",
            address("m-new-table")
                .into("no_such_addresses")
                .newKey("customer_id")
                .map("street")
                .to("street")
                .build(),
            "'m-new-table'",
            "new table 'no_such_addresses'",
            "does not exist"),
        bad(
            "missing column",
            email("m-column").map("e_mail").to("email_normalized").build(),
            "'m-column'",
            "column 'e_mail'",
            "customers",
            "does not exist"),
        bad(
            "missing new column",
            email("m-new-column").map("email").to("email_norm").build(),
            "'m-new-column'",
            "new column 'email_norm'",
            "customers",
            "does not exist"),
        bad(
            "missing key column",
            Migration.column("m-key")
                .table("customers")
                .key("customer_id")
                .map("email")
                .to("email_normalized")
                .build(),
            "'m-key'",
            "key 'customer_id'",
            "customers",
            "does not exist"),
        bad(
            "non-unique key",
            Migration.column("m-unique")
                .table("customer_notes")
                .key("customer_ref")
                .map("note")
                .to("note")
                .build(),
            "'m-unique'",
            "key 'customer_notes.customer_ref'",
            "not unique"),
        bad(
            "non-unique new key",
            address("m-new-unique")
                .into("customer_notes")
                .newKey("customer_ref")
                .map("street")
                .to("street")
                .build(),
            "'m-new-unique'",
            "new key 'customer_notes.customer_ref'",
            "not unique"),
        bad(
            "broken transform",
            email("m-transform")
                .map("email")
                .to("email_normalized")
                .using("lower(trim(no_such_column))")
                .build(),
            "'m-transform'",
            "transform of new column 'email_normalized'",
            "lower(trim(no_such_column))",
            "does not compile"),
        bad(
            "broken reverse transform",
            email("m-reverse")
                .map("email")
                .to("email_normalized")
                .using("lower(email)")
                .reverse("upper(no_such_column)")
                .build(),
            "'m-reverse'",
            "reverse transform of old column 'email'",
            "upper(no_such_column)"),
        bad(
            // Validating must not run it: PostgreSQL's and H2's drivers run ';'-separated text.
            "transform smuggling a second statement",
            email("m-smuggle")
                .map("email")
                .to("email_normalized")
                .using("email) FROM customers; DROP TABLE x; SELECT (email")
                .build(),
            "'m-smuggle'",
            "transform of new column 'email_normalized'",
            "DROP TABLE x",
            "';'"),
        bad(
            "reverse transform smuggling a second statement",
            email("m-smuggle-reverse")
                .map("email")
                .to("email_normalized")
                .reverse("email_normalized) FROM customers; DROP TABLE x; SELECT (1")
                .build(),
            "'m-smuggle-reverse'",
            "reverse transform of old column 'email'",
            "';'"),
        bad(
            "bad table identifier",
            Migration.column("m-ident")
                .table("customers; drop table x")
                .key("id")
                .map("email")
                .to("email_normalized")
                .build(),
            "'m-ident'",
            "table 'customers; drop table x'",
            "not a valid SQL identifier"),
        bad(
            "bad column identifier",
            email("m-col-ident").map("email; drop table x").to("email_normalized").build(),
            "'m-col-ident'",
            "column 'email; drop table x'",
            "not a valid SQL identifier"));
  }

  private static Arguments bad(String what, Migration migration, String... fragments) {
    return Arguments.of(what, migration, List.of(fragments));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badMigrations")
  void aBadMigrationFailsTheStartNamingMigrationPropertyAndObject(
      String what, Migration migration, List<String> fragments) {
    assertThatThrownBy(() -> build(migration))
        .isInstanceOf(InvalidMigrationException.class)
        .message()
        .satisfies(
            message -> {
              for (String fragment : fragments) {
                assertThat(message).containsIgnoringCase(fragment);
              }
            });
    assertNothingWasCreatedOrDropped();
  }

  @Test
  void everyBadMigrationIsReportedInOneException() {
    Migration missingColumn = email("first-bad").map("e_mail").to("email_normalized").build();
    Migration brokenTransform =
        email("second-bad").map("email").to("email_normalized").using("lower(nope)").build();
    Migration good = Customers.addressModel(false, Customers.smallBatches(50)).migration();

    assertThatThrownBy(
            () ->
                ExpandContract.builder(dataSource)
                    .migration(missingColumn)
                    .migration(good)
                    .migration(brokenTransform)
                    .tablePrefix(Customers.STATE_PREFIX)
                    .build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("2 invalid")
        .hasMessageContaining("'first-bad'")
        .hasMessageContaining("e_mail")
        .hasMessageContaining("'second-bad'")
        .hasMessageContaining("lower(nope)")
        .hasMessageNotContaining("'" + good.id() + "'");
    assertNothingWasCreatedOrDropped();
  }

  @Test
  void aMigrationDeclaredTwiceIsReported() {
    Migration email = Customers.emailModel(false, Customers.smallBatches(50)).migration();

    assertThatThrownBy(
            () ->
                ExpandContract.builder(dataSource)
                    .migration(email)
                    .migration(email)
                    .tablePrefix(Customers.STATE_PREFIX)
                    .build())
        .isInstanceOf(InvalidMigrationException.class)
        .hasMessageContaining("'" + email.id() + "' is declared twice");
  }

  @Test
  void theSameMigrationsWithoutTheDefectsStart() {
    ExpandContract ec =
        ExpandContract.builder(dataSource)
            .migration(Customers.emailModel(false, Customers.smallBatches(50)).migration())
            .migration(Customers.addressModel(true, Customers.smallBatches(50)).migration())
            .tablePrefix(Customers.STATE_PREFIX)
            .soakTime(Duration.ZERO)
            .build();

    assertThat(ec.migrations()).hasSize(2);
    assertThat(ec.status(Customers.EMAIL).phase().name()).isEqualTo("EXPANDED");
    assertThat(ec.status(Customers.ADDRESS).phase().name()).isEqualTo("EXPANDED");
  }

  private void build(Migration migration) {
    ExpandContract.builder(dataSource)
        .migration(migration)
        .tablePrefix(Customers.STATE_PREFIX)
        .build();
  }

  private void assertNothingWasCreatedOrDropped() {
    assertThat(TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM x")).as("table x").isZero();
    assertThatThrownBy(
            () -> TestSql.queryLong(dataSource, "SELECT COUNT(*) FROM expand_contract_migration"))
        .as("no state table before the migrations are known to be sound")
        .isInstanceOf(IllegalStateException.class);
  }
}
