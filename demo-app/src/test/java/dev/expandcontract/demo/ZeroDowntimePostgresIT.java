package dev.expandcontract.demo;

import dev.expandcontract.test.TestDatabase;

/** The end-to-end zero-downtime proof on PostgreSQL. */
class ZeroDowntimePostgresIT extends AbstractZeroDowntimeIT {

  @Override
  TestDatabase engine() {
    return TestDatabase.POSTGRES;
  }

  @Override
  String databaseName() {
    return "zero_downtime_pg";
  }

  @Override
  String currentSchemaSql() {
    return "current_schema()";
  }
}
