package dev.expandcontract.core.sql;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Locale;
import java.util.UUID;

/**
 * The Java side of a migration key. Keys are checkpointed as text and bound back with their own
 * JDBC type, so keyset ranges compare in the database's own order.
 */
public enum KeyType {
  LONG,
  STRING,
  UUID_KEY;

  /** Maps a column's JDBC type to a key type, or null if such a column cannot be a key. */
  static KeyType of(int jdbcType, String typeName) {
    return switch (jdbcType) {
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> LONG;
      case Types.NUMERIC, Types.DECIMAL -> LONG;
      case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGVARCHAR -> STRING;
      default -> "uuid".equals(typeName.toLowerCase(Locale.ROOT)) ? UUID_KEY : null;
    };
  }

  /** A value that sorts no later than any real key; used to compile statements on no rows. */
  public Object sample() {
    return switch (this) {
      case LONG -> 0L;
      case STRING -> "";
      case UUID_KEY -> new UUID(0, 0);
    };
  }

  public Object parse(String text) {
    return switch (this) {
      case LONG -> Long.parseLong(text);
      case STRING -> text;
      case UUID_KEY -> UUID.fromString(text);
    };
  }

  public Object read(ResultSet rs, int column) throws SQLException {
    return switch (this) {
      case LONG -> {
        long value = rs.getLong(column);
        yield rs.wasNull() ? null : value;
      }
      case STRING -> rs.getString(column);
      case UUID_KEY -> {
        Object value = rs.getObject(column);
        yield value == null || value instanceof UUID ? value : UUID.fromString(value.toString());
      }
    };
  }

  /** Coerces an application key (an entity id, a path variable) to this key's Java type. */
  public Object coerce(Object key) {
    if (key == null) {
      return null;
    }
    return switch (this) {
      case LONG -> key instanceof Number n ? n.longValue() : Long.parseLong(key.toString());
      case STRING -> key.toString();
      case UUID_KEY -> key instanceof UUID ? key : UUID.fromString(key.toString());
    };
  }

  public void bind(PreparedStatement statement, int index, Object key) throws SQLException {
    Object value = coerce(key);
    switch (this) {
      case LONG -> statement.setLong(index, (Long) value);
      case STRING -> statement.setString(index, (String) value);
      case UUID_KEY -> statement.setObject(index, value);
    }
  }
}
