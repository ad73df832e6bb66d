package dev.expandcontract.test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

/**
 * A reachable server of one {@link TestDatabase} engine: where to connect to manage databases, and
 * as whom.
 *
 * @param adminUrl JDBC URL of an existing database on the server, used to create and drop test
 *     databases
 * @param origin how the server was found, for messages
 */
record DatabaseServer(
    TestDatabase database, String adminUrl, String username, String password, String origin) {

  /** The in-memory H2 "server": nothing to reach, nothing to configure. */
  static DatabaseServer h2() {
    return new DatabaseServer(TestDatabase.H2, "jdbc:h2:mem:", "sa", "", "in-memory H2");
  }

  /** The JDBC URL of the database {@code name} on this server. */
  String jdbcUrl(String name) {
    return switch (database) {
      // DB_CLOSE_DELAY=-1 keeps the in-memory database alive while no connection is open.
      case H2 -> "jdbc:h2:mem:" + name + ";DB_CLOSE_DELAY=-1";
      case POSTGRES -> withDatabase(adminUrl, name);
      // One statement per execute, as in production, so a test cannot pass on a multi-statement
      // string.
      case MARIADB -> withParameter(withDatabase(adminUrl, name), "allowMultiQueries=false");
    };
  }

  /** Drops the database {@code name} if it exists and creates it empty. */
  void recreate(String name) throws SQLException {
    String url = database == TestDatabase.H2 ? jdbcUrl(name) : adminUrl;
    try (Connection connection = connect(url);
        Statement statement = connection.createStatement()) {
      // PostgreSQL refuses CREATE/DROP DATABASE inside a transaction block.
      connection.setAutoCommit(true);
      for (String sql : recreateStatements(name)) {
        statement.execute(sql);
      }
    }
  }

  private List<String> recreateStatements(String name) {
    return switch (database) {
      // FORCE (PostgreSQL 13+) ends sessions a previous test left open on the old database.
      case POSTGRES ->
          List.of(
              "DROP DATABASE IF EXISTS \"" + name + "\" WITH (FORCE)",
              "CREATE DATABASE \"" + name + "\"");
      // utf8mb4 with the server's default collation: real Unicode, comparisons as in production.
      case MARIADB ->
          List.of(
              "DROP DATABASE IF EXISTS `" + name + "`",
              "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
      // Shutting an in-memory database down discards it; the next connection starts an empty one.
      case H2 -> List.of("SHUTDOWN");
    };
  }

  /**
   * Connects to the admin database and returns the server's version: proof that the server is
   * usable.
   */
  String version() throws SQLException {
    try (Connection connection = connect(adminUrl)) {
      return connection.getMetaData().getDatabaseProductVersion();
    }
  }

  private Connection connect(String url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", username);
    properties.setProperty("password", password);
    // Fail within seconds when a server is down, rather than after the drivers' long defaults.
    switch (database) {
      case POSTGRES -> properties.setProperty("connectTimeout", "5"); // seconds
      case MARIADB -> properties.setProperty("connectTimeout", "5000"); // milliseconds
      case H2 -> {}
    }
    return DriverManager.getConnection(url, properties);
  }

  /**
   * Replaces the database in {@code jdbc:<driver>://<hosts>/<database>?<parameters>}, keeping the
   * rest.
   */
  static String withDatabase(String url, String name) {
    int hosts = url.indexOf("//");
    if (!url.startsWith("jdbc:") || hosts < 0) {
      throw new IllegalArgumentException(
          "Expected jdbc:<driver>://<host>[:<port>]/<database>, got " + url);
    }
    int query = url.indexOf('?', hosts);
    int end = query < 0 ? url.length() : query;
    int slash = url.indexOf('/', hosts + 2);
    String server = url.substring(0, slash < 0 || slash > end ? end : slash);
    return server + "/" + name + url.substring(end);
  }

  private static String withParameter(String url, String parameter) {
    // An explicit URL's own setting wins.
    if (url.contains(parameter.substring(0, parameter.indexOf('=') + 1))) {
      return url;
    }
    return url + (url.indexOf('?') < 0 ? "?" : "&") + parameter;
  }
}
