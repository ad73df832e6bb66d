package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class H2GuardsTest extends AbstractGuardsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }
}
