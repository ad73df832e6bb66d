package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresStateTablesScriptTest extends AbstractStateTablesScriptTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
