package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbLifecycleFuzzTest extends AbstractLifecycleFuzzTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
