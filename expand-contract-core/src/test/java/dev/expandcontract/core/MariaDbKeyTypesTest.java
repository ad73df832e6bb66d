package dev.expandcontract.core;

import dev.expandcontract.test.TestDatabase;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.stream.Stream;

class MariaDbKeyTypesTest extends AbstractKeyTypesTest {

  private static final BigInteger UNSIGNED_MAX = BigInteger.TWO.pow(64).subtract(BigInteger.ONE);

  @Override
  protected TestDatabase database() {
    return TestDatabase.MARIADB;
  }

  @Override
  Stream<KeyColumn> supportedKeys() {
    return Stream.of(
        plain("BIGINT", i -> String.valueOf(i * 37L - 1000)),
        plain("INT", i -> String.valueOf(i * 3 - 90)),
        plain("INT UNSIGNED", i -> String.valueOf(4_294_967_295L - i * 5L)),
        plain("BIGINT UNSIGNED", i -> UNSIGNED_MAX.subtract(BigInteger.valueOf(i * 3L)).toString()),
        plain(
            "DECIMAL(30)", i -> BigInteger.TEN.pow(29).add(BigInteger.valueOf(i * 7L)).toString()),
        plain("DECIMAL(12,2)", i -> BigDecimal.valueOf(i * 25L - 400, 2).toPlainString()),
        quoted("VARCHAR(40)", AbstractKeyTypesTest::text),
        quoted("CHAR(36)", i -> uuid(i).toString()),
        new KeyColumn("BINARY(16)", i -> "UNHEX('" + hex(uuid(i)) + "')", i -> uuid(i).toString()),
        quoted("UUID", i -> uuid(i).toString()));
  }

  @Override
  Stream<RefusedKey> refusedKeys() {
    return Stream.of(
        new RefusedKey("DOUBLE", "DOUBLE"),
        new RefusedKey("FLOAT", "FLOAT"),
        new RefusedKey("DATE", "DATE"),
        new RefusedKey("DATETIME", "DATETIME"),
        new RefusedKey("VARBINARY(16)", "VARBINARY"),
        new RefusedKey("BINARY(8)", "BINARY(8)"));
  }
}
