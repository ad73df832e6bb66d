package dev.expandcontract.test;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Finds the server of each {@link TestDatabase} engine, once per JVM. */
final class DatabaseServers {

  private static final Logger log = LoggerFactory.getLogger(DatabaseServers.class);

  // Finding a server may start a container: do it once per JVM.
  private static final Map<TestDatabase, DatabaseServer> servers =
      new EnumMap<>(TestDatabase.class);

  private DatabaseServers() {}

  /** The server of {@code database}, found on first use from {@link System#getenv()}. */
  static synchronized DatabaseServer get(TestDatabase database) {
    DatabaseServer server = servers.get(database);
    if (server == null) {
      server = locate(database, System.getenv());
      servers.put(database, server);
    }
    return server;
  }

  /**
   * Finds a reachable server of {@code database}: the explicit env var, else Testcontainers, else
   * the local service.
   *
   * @param env stands in for {@link System#getenv()}
   * @throws IllegalStateException naming the database, everything tried and how to fix it
   */
  static DatabaseServer locate(TestDatabase database, Map<String, String> env) {
    if (database == TestDatabase.H2) {
      return DatabaseServer.h2();
    }
    String variable = "EC_TEST_" + database.name() + "_";
    String explicitUrl = env.get(variable + "URL");
    if (explicitUrl != null && !explicitUrl.isBlank()) {
      DatabaseServer explicit =
          new DatabaseServer(
              database,
              explicitUrl,
              env.getOrDefault(variable + "USER", localUser(database)),
              env.getOrDefault(variable + "PASSWORD", ""),
              variable + "URL");
      try {
        return checked(explicit);
      } catch (SQLException | RuntimeException e) {
        // An explicit server is a promise: falling back to another one would test something else
        // silently.
        throw new IllegalStateException(
            database
                + " test database server could not be reached at "
                + explicitUrl
                + " (from "
                + variable
                + "URL, user '"
                + explicit.username()
                + "'): "
                + e.getMessage()
                + "\nFix: correct "
                + variable
                + "URL, "
                + variable
                + "USER and "
                + variable
                + "PASSWORD, or unset "
                + variable
                + "URL to use Testcontainers or the local service.",
            e);
      }
    }

    List<String> tried = new ArrayList<>();
    tried.add(variable + "URL: not set");
    try {
      if (SharedContainers.dockerAvailable()) {
        return checked(SharedContainers.server(database));
      }
      tried.add("Testcontainers: no Docker daemon available");
    } catch (LinkageError e) {
      // Testcontainers is a test dependency of the core only; other modules may not have it.
      tried.add("Testcontainers: not on the test classpath (" + e + ")");
    } catch (SQLException | RuntimeException e) {
      tried.add("Testcontainers " + SharedContainers.image(database) + ": " + e.getMessage());
    }

    DatabaseServer local =
        new DatabaseServer(database, localUrl(database), localUser(database), "", "local service");
    try {
      return checked(local);
    } catch (SQLException e) {
      tried.add(
          "local service "
              + local.adminUrl()
              + " as '"
              + local.username()
              + "': "
              + e.getMessage());
    }
    throw new IllegalStateException(
        database
            + " test database server could not be reached. Tried:\n  - "
            + String.join("\n  - ", tried)
            + "\nFix: set "
            + variable
            + "URL (and "
            + variable
            + "USER, "
            + variable
            + "PASSWORD) to a reachable server, make a Docker daemon available, or start the local "
            + database
            + " service (.ci/run does).");
  }

  private static DatabaseServer checked(DatabaseServer server) throws SQLException {
    String version = server.version();
    log.info(
        "{} tests use {} {} ({})", server.database(), server.origin(), server.adminUrl(), version);
    return server;
  }

  private static String localUrl(TestDatabase database) {
    return database == TestDatabase.POSTGRES
        ? "jdbc:postgresql://127.0.0.1:5432/postgres"
        : "jdbc:mariadb://127.0.0.1:3306/";
  }

  private static String localUser(TestDatabase database) {
    return database == TestDatabase.POSTGRES ? "postgres" : "root";
  }
}
