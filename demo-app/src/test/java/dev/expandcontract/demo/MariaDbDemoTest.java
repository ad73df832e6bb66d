package dev.expandcontract.demo;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The demo on MariaDB. */
class MariaDbDemoTest extends AbstractDemoTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    useDatabase(registry, TestDatabase.MARIADB, "demo_mariadb");
  }
}
