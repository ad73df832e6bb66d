package dev.expandcontract.demo;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The demo on PostgreSQL. */
class PostgresDemoTest extends AbstractDemoTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    useDatabase(registry, TestDatabase.POSTGRES, "demo_pg");
    // Server-side prepared statements from the first execution on (the driver's default is the
    // fifth), so statements cached before contract drops the old columns are used after it.
    String url = TestDatabase.POSTGRES.jdbcUrl("demo_pg");
    registry.add(
        "spring.datasource.url",
        () -> url + (url.contains("?") ? "&" : "?") + "prepareThreshold=1");
  }
}
