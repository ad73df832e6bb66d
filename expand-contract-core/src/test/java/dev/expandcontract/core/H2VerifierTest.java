package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class H2VerifierTest extends AbstractVerifierTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.H2;
  }
}
