package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresTuneTest extends AbstractTuneTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
