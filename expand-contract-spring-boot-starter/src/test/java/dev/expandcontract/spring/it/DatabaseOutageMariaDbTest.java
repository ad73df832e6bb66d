package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

class DatabaseOutageMariaDbTest extends DatabaseOutageTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registerBehindACutProxy(
        registry, TestDatabase.MARIADB, "mariadb", "org.hibernate.dialect.MariaDBDialect");
  }
}
