package dev.expandcontract.spring.it;

import dev.expandcontract.test.TestDatabase;

class PostgresSchemaDriftTest extends SchemaDriftTest {

  @Override
  TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
