package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbFleetSafetyTest extends AbstractFleetSafetyTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
