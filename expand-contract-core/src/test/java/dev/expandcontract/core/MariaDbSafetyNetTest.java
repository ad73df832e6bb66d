package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbSafetyNetTest extends AbstractSafetyNetTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
