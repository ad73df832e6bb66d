package dev.expandcontract.test;

import java.util.EnumMap;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.JdbcDatabaseContainer;
import org.testcontainers.mariadb.MariaDBContainer;
import org.testcontainers.postgresql.PostgreSQLContainer;

/** One database container per engine and JVM, for machines with a Docker daemon. */
final class SharedContainers {

  // Started on first use and never stopped: Testcontainers' reaper removes them when the JVM exits.
  private static final Map<TestDatabase, JdbcDatabaseContainer<?>> containers =
      new EnumMap<>(TestDatabase.class);

  private SharedContainers() {}

  static boolean dockerAvailable() {
    return DockerClientFactory.instance().isDockerAvailable();
  }

  static String image(TestDatabase database) {
    return switch (database) {
      case POSTGRES -> "postgres:16-alpine";
      case MARIADB -> "mariadb:11";
      case H2 -> throw new IllegalArgumentException("H2 runs in memory, not in a container");
    };
  }

  /** The server in the shared container of {@code database}, starting it on first use. */
  static synchronized DatabaseServer server(TestDatabase database) {
    JdbcDatabaseContainer<?> container = containers.get(database);
    if (container == null) {
      container =
          switch (database) {
            case POSTGRES -> new PostgreSQLContainer(image(database));
            // root, because the tests create and drop databases of their own.
            case MARIADB -> new MariaDBContainer(image(database)).withUsername("root");
            case H2 -> throw new IllegalArgumentException("H2 runs in memory, not in a container");
          };
      container.start();
      containers.put(database, container);
    }
    return new DatabaseServer(
        database,
        container.getJdbcUrl(),
        container.getUsername(),
        container.getPassword(),
        "Testcontainers " + image(database));
  }
}
