package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;

class MariaDbSchemaDriftTest extends SchemaDriftTest {

  @Override
  TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
