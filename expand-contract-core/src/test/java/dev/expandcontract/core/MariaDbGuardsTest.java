package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbGuardsTest extends AbstractGuardsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
