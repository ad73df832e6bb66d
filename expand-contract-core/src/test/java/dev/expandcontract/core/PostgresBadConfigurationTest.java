package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresBadConfigurationTest extends AbstractBadConfigurationTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
