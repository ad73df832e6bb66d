package dev.expandcontract.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.expandcontract.core.migration.BackfillSettings;
import dev.expandcontract.core.migration.Migration;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.migration.ThrottleSettings;
import dev.expandcontract.core.migration.ValueForm;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The schema of the tests: {@code customers}, expanded with {@code email_normalized} (a column
 * migration) and {@code customer_addresses} (a table migration), as the demo has them.
 */
final class Customers {

  static final String EMAIL = "customer-email";
  static final String ADDRESS = "customer-address";
  static final String STATE_PREFIX = "expand_contract_";

  private Customers() {}

  /** Drops and recreates the tables, state tables included: every test starts from EXPANDED. */
  static void recreate(DataSource dataSource) {
    for (String table :
        List.of(
            STATE_PREFIX + "transition",
            STATE_PREFIX + "instance",
            STATE_PREFIX + "chunk",
            STATE_PREFIX + "poison",
            STATE_PREFIX + "migration",
            "customer_addresses",
            "customers")) {
      TestSql.execute(dataSource, "DROP TABLE IF EXISTS " + table);
    }
    TestSql.execute(
        dataSource,
        "CREATE TABLE customers (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100),"
            + " email VARCHAR(200), email_normalized VARCHAR(200), street VARCHAR(200),"
            + " city VARCHAR(100), zip VARCHAR(20))",
        "CREATE TABLE customer_addresses (customer_id BIGINT NOT NULL PRIMARY KEY,"
            + " street VARCHAR(200), city VARCHAR(100), postal_code VARCHAR(20))");
  }

  /** Empties every table, state tables included (they must exist): cheaper than recreating. */
  static void clear(DataSource dataSource) {
    for (String table :
        List.of(
            STATE_PREFIX + "transition",
            STATE_PREFIX + "instance",
            STATE_PREFIX + "chunk",
            STATE_PREFIX + "poison",
            STATE_PREFIX + "migration",
            "customer_addresses",
            "customers")) {
      TestSql.execute(dataSource, "DELETE FROM " + table);
    }
  }

  /** Inserts customers 1..rows with messy but deterministic values. */
  static void seed(DataSource dataSource, int rows, long seed) {
    Random random = new Random(seed);
    try (Connection connection = dataSource.getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO customers (id, name, email, street, city, zip)"
                    + " VALUES (?, ?, ?, ?, ?, ?)")) {
      connection.setAutoCommit(false);
      for (long id = 1; id <= rows; id++) {
        insert.setLong(1, id);
        insert.setString(2, "Customer " + id);
        insert.setObject(3, email(random, id));
        insert.setObject(4, street(random, id));
        insert.setObject(5, city(random));
        insert.setObject(6, zip(random));
        insert.addBatch();
        if (id % 500 == 0) {
          insert.executeBatch();
        }
      }
      insert.executeBatch();
      connection.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  // ---- messy values: mixed case, surrounding spaces, some NULLs ---------------------------

  static String email(Random random, long id) {
    if (random.nextInt(20) == 0) {
      return null;
    }
    String address = mixedCase(random, "user" + id + "." + random.nextInt(1000) + "@example.com");
    return " ".repeat(random.nextInt(3)) + address + " ".repeat(random.nextInt(3));
  }

  static String street(Random random, long id) {
    return random.nextInt(20) == 0 ? null : (id % 97 + random.nextInt(50)) + " Main Street";
  }

  static String city(Random random) {
    String[] cities = {"Berlin", "Lyon", "Porto", "Oslo", "Turku", "Graz"};
    return random.nextInt(20) == 0
        ? null
        : mixedCase(random, cities[random.nextInt(cities.length)]);
  }

  static String zip(Random random) {
    if (random.nextInt(20) == 0) {
      return null;
    }
    return " ".repeat(random.nextInt(2))
        + mixedCase(random, "ab" + (10000 + random.nextInt(89999)));
  }

  private static String mixedCase(Random random, String text) {
    StringBuilder result = new StringBuilder(text.length());
    for (char c : text.toCharArray()) {
      result.append(random.nextBoolean() ? Character.toUpperCase(c) : c);
    }
    return result.toString();
  }

  /** The Java twin of {@code lower(trim(email))}: the values above only pad with spaces. */
  static Object normalized(Object email) {
    return email == null ? null : email.toString().trim().toLowerCase(Locale.ROOT);
  }

  // ---- migrations -------------------------------------------------------------------------

  /** Fixed small batches (min 10), so that many batches interleave with the writers. */
  static BackfillSettings smallBatches(int size, Duration lockTimeout) {
    return new BackfillSettings(
        size,
        Math.min(10, size),
        size,
        Duration.ofMillis(500),
        Duration.ZERO,
        lockTimeout,
        Duration.ofSeconds(30),
        5,
        Duration.ofMillis(20),
        ThrottleSettings.DEFAULTS);
  }

  static BackfillSettings smallBatches(int size) {
    return smallBatches(size, BackfillSettings.DEFAULTS.lockTimeout());
  }

  /** How the application changes one migration's columns, and what new must then hold. */
  record Model(
      Migration migration,
      List<String> oldColumns,
      String newRows,
      Function<Random, List<Object>> randomValues,
      Function<List<Object>, List<Object>> transform) {

    String id() {
      return migration.id();
    }

    MigrationKind kind() {
      return migration.kind();
    }

    String oldRows() {
      return "SELECT id, " + String.join(", ", oldColumns) + " FROM customers ORDER BY id";
    }
  }

  /** {@code email -> email_normalized = lower(trim(email))}, with or without the Java twin. */
  static Model emailModel(boolean javaTwin, BackfillSettings settings) {
    Migration.ColumnBuilder builder =
        Migration.column(EMAIL)
            .table("customers")
            .key("id")
            .map("email")
            .to("email_normalized")
            .using("lower(trim(email))");
    if (javaTwin) {
      builder.usingJava(Customers::normalized);
    }
    return new Model(
        builder.backfill(settings).build(),
        List.of("email"),
        "SELECT id, email_normalized FROM customers ORDER BY id",
        random -> Collections.singletonList(email(random, random.nextInt(100_000))),
        old -> Collections.singletonList(normalized(old.get(0))));
  }

  /**
   * {@code customers -> customer_addresses}; with {@code sqlZipTransform} the postal code is {@code
   * upper(trim(zip))} without a Java twin, so the dual write falls back to SQL.
   */
  static Model addressModel(boolean sqlZipTransform, BackfillSettings settings) {
    Migration.TableBuilder builder =
        Migration.table(ADDRESS)
            .from("customers")
            .key("id")
            .into("customer_addresses")
            .newKey("customer_id")
            .map("street")
            .to("street")
            .map("city")
            .to("city")
            .map("zip")
            .to("postal_code");
    if (sqlZipTransform) {
      builder.using("upper(trim(zip))");
    }
    Function<Object, Object> zip =
        sqlZipTransform
            ? z -> z == null ? null : z.toString().trim().toUpperCase(Locale.ROOT)
            : z -> z;
    return new Model(
        builder.backfill(settings).build(),
        List.of("street", "city", "zip"),
        "SELECT customer_id, street, city, postal_code FROM customer_addresses ORDER BY"
            + " customer_id",
        random -> Arrays.asList(street(random, random.nextInt(1000)), city(random), zip(random)),
        old -> Arrays.asList(old.get(0), old.get(1), zip.apply(old.get(2))));
  }

  // ---- the application's transactions, as the starter runs them --------------------------

  /**
   * The work of one application transaction on a connection with auto-commit off: the application's
   * own SQL on the old row, then the core's dual write. False means "nothing to do" (the row is
   * gone) and rolls back.
   */
  interface Work {
    boolean run(Connection connection) throws SQLException;
  }

  /** Runs work in one transaction at the database's default isolation, as the application does. */
  static boolean inTransaction(DataSource dataSource, Work work) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        boolean done = work.run(connection);
        if (done) {
          connection.commit();
        } else {
          connection.rollback();
        }
        return done;
      } catch (SQLException | RuntimeException e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    }
  }

  /** The application inserts a customer, then the starter dual-writes its migrated values. */
  static Work insert(ExpandContract ec, Model model, long id, List<Object> values) {
    return insert(ec, List.of(model), id, List.of(values));
  }

  /**
   * As {@link #insert(ExpandContract, Model, long, List)} for an entity with several migrations.
   */
  static Work insert(ExpandContract ec, List<Model> models, long id, List<List<Object>> values) {
    return connection -> {
      List<String> columns = new ArrayList<>(List.of("id", "name"));
      List<Object> params = new ArrayList<>(List.of(id, "Customer " + id));
      for (int m = 0; m < models.size(); m++) {
        columns.addAll(models.get(m).oldColumns());
        params.addAll(values.get(m));
      }
      TestSql.update(
          connection,
          "INSERT INTO customers ("
              + String.join(", ", columns)
              + ") VALUES (?"
              + ", ?".repeat(params.size() - 1)
              + ")",
          params.toArray());
      for (int m = 0; m < models.size(); m++) {
        ec.rows(models.get(m).id()).write(connection, id, values.get(m), ValueForm.OLD, true);
      }
      return true;
    };
  }

  /** The application updates a customer, then the starter dual-writes; false if it is gone. */
  static Work update(ExpandContract ec, Model model, long id, List<Object> values) {
    return update(ec, List.of(model), id, List.of(values));
  }

  /**
   * As {@link #update(ExpandContract, Model, long, List)} for an entity with several migrations.
   */
  static Work update(ExpandContract ec, List<Model> models, long id, List<List<Object>> values) {
    return connection -> {
      List<String> assignments = new ArrayList<>();
      List<Object> params = new ArrayList<>();
      for (int m = 0; m < models.size(); m++) {
        models.get(m).oldColumns().forEach(c -> assignments.add(c + " = ?"));
        params.addAll(values.get(m));
      }
      params.add(id);
      String sql = "UPDATE customers SET " + String.join(", ", assignments) + " WHERE id = ?";
      if (TestSql.update(connection, sql, params.toArray()) == 0) {
        return false;
      }
      for (int m = 0; m < models.size(); m++) {
        ec.rows(models.get(m).id()).write(connection, id, values.get(m), ValueForm.OLD, true);
      }
      return true;
    };
  }

  /** The application deletes a customer, then the starter deletes its new rows; false if gone. */
  static Work delete(ExpandContract ec, Model model, long id) {
    return delete(ec, List.of(model), id);
  }

  static Work delete(ExpandContract ec, List<Model> models, long id) {
    return connection -> {
      if (TestSql.update(connection, "DELETE FROM customers WHERE id = ?", id) == 0) {
        return false;
      }
      for (Model model : models) {
        ec.rows(model.id()).delete(connection, id);
      }
      return true;
    };
  }

  // ---- the invariant ----------------------------------------------------------------------

  /**
   * Asserts row by row that new equals transform(old): no old row missing in new, none stale, and
   * (table migrations) no new row whose old row is gone.
   */
  static void assertConverged(DataSource dataSource, Model model) {
    assertConverged(dataSource, model, Long.MAX_VALUE);
  }

  /** {@link #assertConverged(DataSource, Model)} for the keys up to {@code maxKey}. */
  static void assertConverged(DataSource dataSource, Model model, long maxKey) {
    Map<Long, List<Object>> old = TestSql.byKey(dataSource, model.oldRows());
    Map<Long, List<Object>> actual = TestSql.byKey(dataSource, model.newRows());
    old.keySet().removeIf(key -> key > maxKey);
    actual.keySet().removeIf(key -> key > maxKey);
    List<String> missing = new ArrayList<>();
    List<String> stale = new ArrayList<>();
    old.forEach(
        (key, values) -> {
          List<Object> expected = model.transform().apply(values);
          List<Object> found = actual.get(key);
          if (found == null) {
            missing.add(key + " " + expected);
          } else if (!Objects.equals(expected, found)) {
            stale.add(key + " expected " + expected + " but was " + found);
          }
        });
    TreeSet<Long> resurrected = new TreeSet<>(actual.keySet());
    resurrected.removeAll(old.keySet());
    assertThat(old).as("old rows").isNotEmpty();
    assertThat(missing).as("old rows missing in new (%d)", missing.size()).isEmpty();
    assertThat(stale).as("new rows not equal to transform(old) (%d)", stale.size()).isEmpty();
    assertThat(resurrected).as("new rows whose old row was deleted").isEmpty();
  }
}
