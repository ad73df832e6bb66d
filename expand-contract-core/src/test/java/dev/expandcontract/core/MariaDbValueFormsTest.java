package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbValueFormsTest extends AbstractValueFormsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
