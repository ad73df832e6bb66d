package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresRestartAfterContractTest extends AbstractRestartAfterContractTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
