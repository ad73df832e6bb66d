package dev.expandcontract.core.access;

import dev.expandcontract.core.sql.KeyType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Rows read as a key and its values, by key: the shape of every read of migrated columns. */
final class KeyedRows {

  /** Keys per IN list; larger reads are split. */
  static final int CHUNK = 100;

  /** A statement for a number of keys, bound in order. */
  interface Query {
    String forKeys(int count);
  }

  private KeyedRows() {}

  /** The rows of these keys, {@link #CHUNK} keys per statement; keys without a row are absent. */
  static Map<Object, List<Object>> read(
      Connection connection, Collection<?> keys, KeyType keyType, Query query, int width)
      throws SQLException {
    Map<Object, List<Object>> rows = new LinkedHashMap<>();
    List<?> all = List.copyOf(keys);
    for (int from = 0; from < all.size(); from += CHUNK) {
      List<?> chunk = all.subList(from, Math.min(all.size(), from + CHUNK));
      try (PreparedStatement statement = connection.prepareStatement(query.forKeys(chunk.size()))) {
        for (int i = 0; i < chunk.size(); i++) {
          keyType.bind(statement, i + 1, chunk.get(i));
        }
        collect(statement, keyType, width, rows);
      }
    }
    return rows;
  }

  /** Runs a query whose rows are a key and {@code width} values, into {@code rows} by key. */
  static void collect(
      PreparedStatement statement, KeyType keyType, int width, Map<Object, List<Object>> rows)
      throws SQLException {
    try (ResultSet rs = statement.executeQuery()) {
      while (rs.next()) {
        List<Object> values = new ArrayList<>(width);
        for (int c = 0; c < width; c++) {
          values.add(rs.getObject(c + 2));
        }
        rows.put(keyType.read(rs, 1), values);
      }
    }
  }
}
