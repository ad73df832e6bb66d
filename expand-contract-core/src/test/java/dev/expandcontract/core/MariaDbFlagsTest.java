package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbFlagsTest extends AbstractFlagsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
