package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbStateTablesScriptTest extends AbstractStateTablesScriptTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
