package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbTakeoverTest extends AbstractTakeoverTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
