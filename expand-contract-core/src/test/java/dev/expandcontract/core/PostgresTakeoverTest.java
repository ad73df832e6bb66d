package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresTakeoverTest extends AbstractTakeoverTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
