package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresValueFormsTest extends AbstractValueFormsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
