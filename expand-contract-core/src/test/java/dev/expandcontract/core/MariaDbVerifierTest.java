package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbVerifierTest extends AbstractVerifierTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
