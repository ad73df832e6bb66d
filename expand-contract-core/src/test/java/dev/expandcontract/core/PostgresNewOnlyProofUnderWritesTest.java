package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresNewOnlyProofUnderWritesTest extends AbstractNewOnlyProofUnderWritesTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
