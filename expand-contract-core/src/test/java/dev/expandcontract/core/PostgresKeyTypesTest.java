package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.stream.Stream;

class PostgresKeyTypesTest extends AbstractKeyTypesTest {

  @Override
  protected TestDatabase database() {
    return TestDatabase.POSTGRES;
  }

  @Override
  Stream<KeyColumn> supportedKeys() {
    return Stream.of(
        plain("BIGINT", i -> String.valueOf(i * 37L - 1000)),
        plain("INTEGER", i -> String.valueOf(i * 3 - 90)),
        plain("NUMERIC(18)", i -> String.valueOf(i * 11L - 500)),
        plain(
            "NUMERIC(30)", i -> BigInteger.TEN.pow(29).add(BigInteger.valueOf(i * 7L)).toString()),
        plain("NUMERIC(12,2)", i -> BigDecimal.valueOf(i * 25L - 400, 2).toPlainString()),
        plain("NUMERIC", i -> BigDecimal.valueOf(i * 125L, 3).toPlainString()),
        quoted("TEXT", AbstractKeyTypesTest::text),
        quoted("VARCHAR(40)", AbstractKeyTypesTest::text),
        quoted("UUID", i -> uuid(i).toString()),
        quoted("CHAR(36)", i -> uuid(i).toString()));
  }

  @Override
  Stream<RefusedKey> refusedKeys() {
    return Stream.of(
        new RefusedKey("DOUBLE PRECISION", "float8"),
        new RefusedKey("REAL", "float4"),
        new RefusedKey("DATE", "date"),
        new RefusedKey("TIMESTAMP", "timestamp"),
        new RefusedKey("BOOLEAN", "bool"),
        new RefusedKey("BYTEA", "bytea"));
  }
}
