package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.util.List;
import java.util.stream.Stream;

class PostgresColumnTypesTest extends AbstractColumnTypesTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  List<String> textSetUp() {
    return List.of(
        "CREATE EXTENSION IF NOT EXISTS citext",
        "CREATE COLLATION IF NOT EXISTS ignore_case_accents"
            + " (provider = icu, locale = 'und-u-ks-level1', deterministic = false)");
  }

  @Override
  Stream<String> textTypes() {
    return Stream.of(
        "VARCHAR(60)",
        "TEXT",
        "CHAR(60)",
        "CITEXT",
        "VARCHAR(60) COLLATE ignore_case_accents",
        "CHAR(60) COLLATE ignore_case_accents");
  }

  @Override
  Stream<String[]> roundedTransforms() {
    return Stream.of(
        new String[] {"amount", "amount_3"},
        new String[] {"amount", "CAST(amount_text AS NUMERIC)"},
        new String[] {"amount", "amount_3 * 1.005"},
        new String[] {"amount", "CAST(amount_text AS DOUBLE PRECISION)"},
        new String[] {"whole", "quantity * 0.5"});
  }

  @Override
  Stream<String[]> exactTransforms() {
    return Stream.of(
        new String[] {"amount", "CAST(amount_text AS NUMERIC(10,2))"},
        new String[] {"amount", "CAST(amount_3 AS NUMERIC(10,2))"},
        new String[] {"whole", "quantity / 2"});
  }
}
