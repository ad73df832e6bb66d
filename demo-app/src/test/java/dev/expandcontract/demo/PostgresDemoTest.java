package dev.expandcontract.demo;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The demo on PostgreSQL. */
class PostgresDemoTest extends AbstractDemoTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    useDatabase(registry, TestDatabase.POSTGRES, "demo_pg");
  }
}
