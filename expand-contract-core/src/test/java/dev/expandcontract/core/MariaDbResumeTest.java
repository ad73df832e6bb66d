package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbResumeTest extends AbstractResumeTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
