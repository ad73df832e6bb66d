package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbRestartAfterContractTest extends AbstractRestartAfterContractTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
