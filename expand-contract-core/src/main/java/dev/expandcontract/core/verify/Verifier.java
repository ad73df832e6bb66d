package dev.expandcontract.core.verify;

import dev.expandcontract.core.internal.backfill.KeyRange;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.migration.MigrationKind;
import dev.expandcontract.core.sql.KeyType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import javax.sql.DataSource;

/**
 * Proves the new schema equals transform(old), batch by batch inside the database: each batch is
 * one comparison statement over a keyset range, so memory stays flat and only mismatching keys (at
 * most one batch of them) ever reach the JVM.
 */
public final class Verifier {

  private final DataSource dataSource;
  private final Clock clock;
  private final int batchSize;
  private final int sampleSize;

  public Verifier(DataSource dataSource, Clock clock, int batchSize, int sampleSize) {
    this.dataSource = dataSource;
    this.clock = clock;
    this.batchSize = batchSize;
    this.sampleSize = sampleSize;
  }

  public VerificationReport verify(MigrationSql sql) {
    return verify(sql, key -> {});
  }

  /**
   * Verifies and hands every key whose new row differs from transform(old), or is missing, to
   * {@code mismatched} (keys only in new are counted, not handed over: old has nothing to copy).
   */
  public VerificationReport verify(MigrationSql sql, Consumer<Object> mismatched) {
    long started = clock.millis();
    Scan scan = new Scan(mismatched);
    try (Connection connection = dataSource.getConnection()) {
      connection.setReadOnly(true);
      Object end = KeyRange.end(connection, sql, sql.maxKeyOfBoth());
      Object lower = null;
      boolean last = end == null;
      while (!last) {
        KeyRange range = KeyRange.next(connection, sql, lower, end, batchSize);
        scan.rowsChecked += range.rows();
        scan.mismatched +=
            collect(
                connection,
                sql,
                sql.mismatchedKeys(range.hasLower()),
                range,
                scan,
                "differs",
                true);
        if (sql.migration().kind() == MigrationKind.TABLE) {
          scan.extra +=
              collect(
                  connection,
                  sql,
                  sql.extraKeys(range.hasLower()),
                  range,
                  scan,
                  "only in new",
                  false);
        }
        lower = range.upper();
        last = range.last();
      }
      connection.setReadOnly(false);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "verification of '" + sql.migration().id() + "' failed: " + e.getMessage(), e);
    }
    return new VerificationReport(
        sql.migration().id(),
        scan.rowsChecked,
        scan.mismatched,
        scan.extra,
        List.copyOf(scan.sample),
        Duration.ofMillis(clock.millis() - started));
  }

  private long collect(
      Connection connection,
      MigrationSql sql,
      String query,
      KeyRange range,
      Scan scan,
      String what,
      boolean handOver)
      throws SQLException {
    KeyType keyType = sql.keyType();
    long found = 0;
    try (PreparedStatement statement = connection.prepareStatement(query)) {
      range.bind(statement, keyType);
      try (ResultSet rs = statement.executeQuery()) {
        while (rs.next()) {
          found++;
          Object key = keyType.read(rs, 1);
          if (scan.sample.size() < sampleSize) {
            scan.sample.add(key + " (" + what + ")");
          }
          if (handOver) {
            scan.mismatchedKeys.accept(key);
          }
        }
      }
    }
    return found;
  }

  private static final class Scan {
    final Consumer<Object> mismatchedKeys;
    long rowsChecked;
    long mismatched;
    long extra;
    final List<String> sample = new ArrayList<>();

    Scan(Consumer<Object> mismatchedKeys) {
      this.mismatchedKeys = mismatchedKeys;
    }
  }
}
