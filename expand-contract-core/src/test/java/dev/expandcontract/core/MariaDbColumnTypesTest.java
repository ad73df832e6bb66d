package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.util.stream.Stream;

class MariaDbColumnTypesTest extends AbstractColumnTypesTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  @Override
  Stream<String> textTypes() {
    return Stream.of(
        "VARCHAR(60)",
        "CHAR(60)",
        "TEXT",
        "CHAR(60) COLLATE utf8mb4_unicode_ci",
        "VARCHAR(60) COLLATE utf8mb4_general_ci");
  }

  @Override
  Stream<String[]> roundedTransforms() {
    return Stream.of(
        new String[] {"amount", "amount_3"},
        new String[] {"amount", "amount_text"},
        new String[] {"amount", "amount_3 * 1.005"},
        new String[] {"amount", "CAST(amount_text AS DOUBLE)"},
        new String[] {"whole", "quantity / 2"});
  }

  @Override
  Stream<String[]> exactTransforms() {
    return Stream.of(
        new String[] {"amount", "CAST(amount_text AS DECIMAL(10,2))"},
        new String[] {"amount", "CAST(amount_3 AS DECIMAL(10,2))"},
        new String[] {"whole", "quantity DIV 2"});
  }
}
