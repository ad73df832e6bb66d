package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

class DatabaseOutagePostgresTest extends DatabaseOutageTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registerBehindACutProxy(
        registry, TestDatabase.POSTGRES, "postgresql", "org.hibernate.dialect.PostgreSQLDialect");
  }
}
