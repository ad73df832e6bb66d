package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;

class MariaDbReviewValueFormsTest extends AbstractReviewValueFormsTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }
}
