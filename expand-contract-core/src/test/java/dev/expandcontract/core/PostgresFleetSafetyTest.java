package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresFleetSafetyTest extends AbstractFleetSafetyTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
