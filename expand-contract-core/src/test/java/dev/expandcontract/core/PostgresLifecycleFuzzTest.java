package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresLifecycleFuzzTest extends AbstractLifecycleFuzzTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
