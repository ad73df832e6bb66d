package dev.expandcontract.core.internal.backfill;

import dev.expandcontract.core.internal.sql.Jdbc;
import dev.expandcontract.core.internal.sql.MigrationSql;
import dev.expandcontract.core.sql.KeyType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * One keyset slice {@code (lower, upper]} of the old table; the first slice has no lower bound.
 * Shared by the backfill and the verifier so both walk the table the same way.
 *
 * @param rows rows of the old table in the slice when it was cut
 */
public record KeyRange(Object lower, Object upper, long rows, boolean last) {

  /**
   * Cuts the next slice of at most {@code size} rows after {@code lower}, never past {@code end}.
   */
  public static KeyRange next(
      Connection connection, MigrationSql sql, Object lower, Object end, int size)
      throws SQLException {
    KeyType keyType = sql.keyType();
    boolean hasLower = lower != null;
    try (PreparedStatement statement = connection.prepareStatement(sql.batchEnd(hasLower))) {
      int i = bindRange(statement, keyType, lower, end);
      statement.setInt(i, size - 1);
      try (ResultSet rs = statement.executeQuery()) {
        if (rs.next()) {
          Object upper = keyType.read(rs, 1);
          // A slice that ends exactly at the end is the last: no empty slice after it.
          return new KeyRange(lower, upper, size, upper.equals(end));
        }
      }
    }
    long rows;
    try (PreparedStatement statement = connection.prepareStatement(sql.countRange(hasLower))) {
      bindRange(statement, keyType, lower, end);
      try (ResultSet rs = statement.executeQuery()) {
        rows = rs.next() ? rs.getLong(1) : 0;
      }
    }
    return new KeyRange(lower, end, rows, true);
  }

  /** The highest key a scan goes to, read once when the scan starts; null for an empty table. */
  public static Object end(Connection connection, MigrationSql sql, String query)
      throws SQLException {
    List<Object> max = Jdbc.query(connection, query, rs -> sql.keyType().read(rs, 1));
    return max.isEmpty() ? null : max.get(0);
  }

  /** Binds this range's bounds from the first parameter; returns the next parameter index. */
  public int bind(PreparedStatement statement, KeyType keyType) throws SQLException {
    return bindRange(statement, keyType, lower, upper);
  }

  public boolean hasLower() {
    return lower != null;
  }

  private static int bindRange(
      PreparedStatement statement, KeyType type, Object lower, Object upper) throws SQLException {
    int i = 1;
    if (lower != null) {
      type.bind(statement, i++, lower);
    }
    type.bind(statement, i++, upper);
    return i;
  }
}
