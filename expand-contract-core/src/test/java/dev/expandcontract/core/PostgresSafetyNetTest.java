package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresSafetyNetTest extends AbstractSafetyNetTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
