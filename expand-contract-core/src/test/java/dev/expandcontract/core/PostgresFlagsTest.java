package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresFlagsTest extends AbstractFlagsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
