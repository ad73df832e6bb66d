package dev.expandcontract.bench;

import dev.expandcontract.test.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** The benchmark's tables: created fresh, filled in the database, settled before a measurement. */
final class BenchTables {

  static final String USERS = "bench_users";
  static final String CUSTOMERS = "customers";
  static final String ADDRESSES = "customer_addresses";

  /** The single set-based statement the column migration's backfill is compared with. */
  static final String SINGLE_UPDATE =
      "UPDATE " + USERS + " SET email_normalized = lower(trim(email))";

  /** The single set-based statement the table migration's backfill is compared with. */
  static final String SINGLE_INSERT =
      "INSERT INTO "
          + ADDRESSES
          + " (customer_id, street, city, postal_code) SELECT id, street, city, zip FROM "
          + CUSTOMERS;

  private final TestDatabase database;
  private final DataSource dataSource;

  BenchTables(TestDatabase database, DataSource dataSource) {
    this.database = database;
    this.dataSource = dataSource;
  }

  /** A fresh {@code bench_users} of {@code rows} rows with {@code email_normalized} all NULL. */
  void freshUsers(long rows) throws SQLException {
    execute("DROP TABLE IF EXISTS " + USERS);
    execute(
        "CREATE TABLE "
            + USERS
            + " (id BIGINT NOT NULL PRIMARY KEY, email VARCHAR(255) NOT NULL,"
            + " email_normalized VARCHAR(255))");
    execute(
        "INSERT INTO "
            + USERS
            + " (id, email) SELECT "
            + series("'  User'", "'@Example.COM '", rows));
    settle(USERS);
  }

  /** A fresh {@code customers} of {@code rows} rows and an empty {@code customer_addresses}. */
  void freshCustomers(long rows) throws SQLException {
    execute("DROP TABLE IF EXISTS " + ADDRESSES);
    execute("DROP TABLE IF EXISTS " + CUSTOMERS);
    execute(
        "CREATE TABLE "
            + CUSTOMERS
            + " (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL,"
            + " street VARCHAR(200), city VARCHAR(100), zip VARCHAR(20))");
    execute(
        "CREATE TABLE "
            + ADDRESSES
            + " (customer_id BIGINT NOT NULL PRIMARY KEY, street VARCHAR(200),"
            + " city VARCHAR(100), postal_code VARCHAR(20))");
    String i = database == TestDatabase.POSTGRES ? "i" : "seq";
    execute(
        "INSERT INTO "
            + CUSTOMERS
            + " (id, name, street, city, zip) SELECT "
            + i
            + ", "
            + concat("'Customer '", i)
            + ", "
            + concat(i, "' Main Street'")
            + ", "
            + concat("'City '", "(" + i + " % 1000)")
            + ", "
            + concat("'Z'", "(" + i + " % 100000)")
            + from(rows));
    settle(CUSTOMERS);
    settle(ADDRESSES);
  }

  void dropAll() throws SQLException {
    execute("DROP TABLE IF EXISTS " + USERS);
    execute("DROP TABLE IF EXISTS " + ADDRESSES);
    execute("DROP TABLE IF EXISTS " + CUSTOMERS);
  }

  /** Rows of {@code bench_users} whose new column is not transform(old): 0 after a backfill. */
  long usersNotBackfilled() throws SQLException {
    String same =
        database == TestDatabase.POSTGRES
            ? "email_normalized IS NOT DISTINCT FROM lower(trim(email))"
            : "email_normalized <=> lower(trim(email))";
    return count("SELECT COUNT(*) FROM " + USERS + " WHERE NOT (" + same + ")");
  }

  /** Rows of {@code customers} missing or different in {@code customer_addresses}. */
  long customersNotBackfilled() throws SQLException {
    return count(
        "SELECT COUNT(*) FROM "
            + CUSTOMERS
            + " c LEFT JOIN "
            + ADDRESSES
            + " a ON a.customer_id = c.id WHERE a.customer_id IS NULL OR a.street <> c.street"
            + " OR a.city <> c.city OR a.postal_code <> c.zip");
  }

  String serverVersion() throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      var meta = connection.getMetaData();
      return meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion();
    }
  }

  /**
   * Leaves the table as a long-running database would have it: statistics current, PostgreSQL's
   * visibility map and hint bits set (VACUUM), dirty pages flushed (CHECKPOINT), so the load does
   * not bill its after-work to whichever measurement runs next.
   */
  private void settle(String table) throws SQLException {
    if (database == TestDatabase.POSTGRES) {
      execute("VACUUM ANALYZE " + table);
      try {
        execute("CHECKPOINT");
      } catch (SQLException e) {
        // Needs superuser (or pg_checkpoint); the measurement is only noisier without it.
      }
    } else {
      execute("ANALYZE TABLE " + table);
    }
  }

  private String series(String prefix, String suffix, long rows) {
    String i = database == TestDatabase.POSTGRES ? "i" : "seq";
    return i + ", " + concat(concat(prefix, i), suffix) + from(rows);
  }

  private String concat(String a, String b) {
    return database == TestDatabase.POSTGRES
        ? "(" + a + " || " + b + ")"
        : "CONCAT(" + a + ", " + b + ")";
  }

  private String from(long rows) {
    return database == TestDatabase.POSTGRES
        ? " FROM generate_series(1, " + rows + ") i"
        : " FROM seq_1_to_" + rows;
  }

  private long count(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void execute(String sql) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }
}
