package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbNewOnlyProofUnderWritesTest extends AbstractNewOnlyProofUnderWritesTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
