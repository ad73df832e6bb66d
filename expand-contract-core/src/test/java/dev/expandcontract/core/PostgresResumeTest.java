package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresResumeTest extends AbstractResumeTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
