package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresVerifierTest extends AbstractVerifierTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
