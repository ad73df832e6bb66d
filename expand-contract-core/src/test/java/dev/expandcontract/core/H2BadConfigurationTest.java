package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class H2BadConfigurationTest extends AbstractBadConfigurationTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }
}
