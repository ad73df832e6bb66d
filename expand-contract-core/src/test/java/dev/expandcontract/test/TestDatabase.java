package dev.expandcontract.test;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.SQLException;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A real database engine for tests, each test getting fresh, empty databases of its own.
 *
 * <p>The server of each engine is found once per JVM, in this order:
 *
 * <ol>
 *   <li>an explicit server: {@code EC_TEST_POSTGRES_URL} / {@code EC_TEST_MARIADB_URL}, a JDBC URL
 *       of the server's admin database, with {@code EC_TEST_<DB>_USER} and {@code
 *       EC_TEST_<DB>_PASSWORD};
 *   <li>a Testcontainers container ({@code postgres:16-alpine}, {@code mariadb:11}) if a Docker
 *       daemon is available;
 *   <li>the local service: {@code jdbc:postgresql://127.0.0.1:5432/postgres} as {@code postgres},
 *       {@code jdbc:mariadb://127.0.0.1:3306/} as {@code root}, both without password.
 * </ol>
 *
 * If none answers, an {@link IllegalStateException} says what was tried and how to fix it: these
 * tests never skip. H2 needs no server; its databases live in memory.
 *
 * <p>Database names are prefixed with {@code EC_TEST_DB_PREFIX} (default {@code ec_}), so that
 * parallel runs against one server can use distinct prefixes.
 */
public enum TestDatabase {
  POSTGRES,
  MARIADB,
  H2;

  private static final Pattern NAME = Pattern.compile("[a-z0-9_]+");
  // PostgreSQL truncates identifiers beyond 63 bytes; MariaDB allows 64.
  private static final int MAX_NAME_LENGTH = 63;

  /**
   * Drops the database {@code databaseName} (prefixed) if it exists, creates it empty and opens a
   * pool on it. Any connection still open on the old database is ended.
   *
   * @param databaseName lower-case letters, digits and underscores
   * @return a HikariCP pool of at most 12 connections; the caller closes it
   * @throws IllegalArgumentException if the name is not a plain lower-case identifier
   * @throws IllegalStateException if no server can be reached or the database cannot be created
   */
  public HikariDataSource create(String databaseName) {
    String name = qualifiedName(databaseName, System.getenv());
    DatabaseServer server = DatabaseServers.get(this);
    try {
      server.recreate(name);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "Could not recreate "
              + this
              + " test database "
              + name
              + " on "
              + server.origin()
              + " ("
              + server.adminUrl()
              + "): "
              + e.getMessage(),
          e);
    }
    HikariConfig config = new HikariConfig();
    config.setPoolName("test-" + this.name().toLowerCase() + "-" + name);
    config.setJdbcUrl(server.jdbcUrl(name));
    config.setUsername(server.username());
    config.setPassword(server.password());
    // Room for the concurrent readers and writers of a test, well below the servers' connection
    // limits.
    config.setMaximumPoolSize(12);
    return new HikariDataSource(config);
  }

  /**
   * The JDBC URL of the database {@code databaseName} (prefixed), e.g. for {@code
   * spring.datasource.url}. It does not create the database: call {@link #create(String)} first.
   */
  public String jdbcUrl(String databaseName) {
    return DatabaseServers.get(this).jdbcUrl(qualifiedName(databaseName, System.getenv()));
  }

  /**
   * The user to connect to this engine's test databases with, e.g. for {@code
   * spring.datasource.username}.
   */
  public String username() {
    return DatabaseServers.get(this).username();
  }

  /**
   * The password of {@link #username()}, possibly empty, e.g. for {@code
   * spring.datasource.password}.
   */
  public String password() {
    return DatabaseServers.get(this).password();
  }

  /**
   * The validated, prefixed name of a test database; {@code env} stands in for {@link
   * System#getenv()}.
   */
  static String qualifiedName(String databaseName, Map<String, String> env) {
    Objects.requireNonNull(databaseName, "databaseName");
    String prefix = env.getOrDefault("EC_TEST_DB_PREFIX", "ec_");
    // The name is spliced into DDL, so only plain identifiers are accepted.
    if (!NAME.matcher(databaseName).matches()) {
      throw new IllegalArgumentException(
          "Test database name '" + databaseName + "' must match " + NAME.pattern());
    }
    if (!prefix.isEmpty() && !NAME.matcher(prefix).matches()) {
      throw new IllegalArgumentException(
          "EC_TEST_DB_PREFIX '" + prefix + "' must be empty or match " + NAME.pattern());
    }
    String name = prefix + databaseName;
    if (name.length() > MAX_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "Test database name '" + name + "' is longer than " + MAX_NAME_LENGTH + " characters");
    }
    return name;
  }
}
