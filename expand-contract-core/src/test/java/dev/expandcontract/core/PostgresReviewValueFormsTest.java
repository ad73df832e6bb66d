package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class PostgresReviewValueFormsTest extends AbstractReviewValueFormsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }
}
