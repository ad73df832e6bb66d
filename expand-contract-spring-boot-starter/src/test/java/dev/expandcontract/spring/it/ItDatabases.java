package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;

/** Points the test application at a fresh database of its own. */
public final class ItDatabases {

  private ItDatabases() {}

  /** Recreates {@code name} (prefixed with EC_TEST_DB_PREFIX) empty and registers it. */
  public static void register(
      DynamicPropertyRegistry registry, TestDatabase database, String name) {
    database.create(name).close(); // fails loudly when the server is unreachable
    registry.add("spring.datasource.url", () -> database.jdbcUrl(name));
    registry.add("spring.datasource.username", database::username);
    registry.add("spring.datasource.password", database::password);
  }
}
