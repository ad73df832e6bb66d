package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbTuneTest extends AbstractTuneTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
