package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresGuardsTest extends AbstractGuardsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
