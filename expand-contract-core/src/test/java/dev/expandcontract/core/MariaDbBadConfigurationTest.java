package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbBadConfigurationTest extends AbstractBadConfigurationTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
