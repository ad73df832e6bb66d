package dev.expandcontract.core.sql;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.UUID;

/**
 * The Java side of a migration key. Keys are checkpointed as text ({@link #format}, read back by
 * {@link #parse} exactly) and bound back with their own JDBC type, so keyset ranges compare in the
 * database's own order.
 */
public enum KeyType {
  /** Integer columns that fit a {@code long}, and NUMERIC(p,0) up to 18 digits. */
  LONG,
  /** BIGINT UNSIGNED and wider NUMERIC(p,0): exact integers beyond {@code long}. */
  BIG_INTEGER,
  /** NUMERIC/DECIMAL with a fractional part: exact, never rounded to an integer. */
  DECIMAL,
  /** CHAR, VARCHAR and TEXT, also UUIDs stored as CHAR(36). */
  STRING,
  /** A native UUID column (PostgreSQL, MariaDB 10.7+, H2). */
  UUID_KEY,
  /** A UUID stored as BINARY(16), its 16 bytes in {@link UUID} order; checkpointed as hex. */
  UUID_BYTES;

  private static final int UUID_LENGTH = 16;
  private static final int LONG_DIGITS = 18;

  /** Maps a column's type to a key type, or null if such a column cannot be a key. */
  public static KeyType of(ColumnType type) {
    if (type.isNamed("uuid")) {
      return UUID_KEY;
    }
    if (type.isInteger()) {
      return type.jdbcType() == Types.BIGINT && type.isUnsigned() ? BIG_INTEGER : LONG;
    }
    if (type.isDecimal()) {
      if (!type.hasFixedScale() || type.scale() > 0) {
        return DECIMAL;
      }
      return type.size() <= LONG_DIGITS ? LONG : BIG_INTEGER;
    }
    return switch (type.jdbcType()) {
      case Types.CHAR, Types.VARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGVARCHAR -> STRING;
      case Types.BINARY -> type.size() == UUID_LENGTH ? UUID_BYTES : null;
      default -> null;
    };
  }

  /** Any valid key value; used to compile statements on no rows. */
  public Object sample() {
    return switch (this) {
      case LONG -> 0L;
      case BIG_INTEGER -> BigInteger.ZERO;
      case DECIMAL -> BigDecimal.ZERO;
      case STRING -> "";
      case UUID_KEY, UUID_BYTES -> new UUID(0, 0);
    };
  }

  /** A key from its checkpointed text, as {@link #format} wrote it. */
  public Object parse(String text) {
    return switch (this) {
      case LONG -> Long.parseLong(text);
      case BIG_INTEGER -> new BigInteger(text);
      case DECIMAL -> new BigDecimal(text);
      case STRING -> text;
      case UUID_KEY, UUID_BYTES -> UUID.fromString(text);
    };
  }

  /** The text a key is checkpointed as in the state table; {@link #parse} reads it back exactly. */
  public String format(Object key) {
    Object value = coerce(key);
    if (value == null) {
      return null;
    }
    // BigDecimal.toString may use an exponent; plain digits read back the same and read better.
    return value instanceof BigDecimal decimal ? decimal.toPlainString() : value.toString();
  }

  public Object read(ResultSet rs, int column) throws SQLException {
    return switch (this) {
      case LONG -> {
        long value = rs.getLong(column);
        yield rs.wasNull() ? null : value;
      }
      case BIG_INTEGER -> {
        BigDecimal value = rs.getBigDecimal(column);
        yield value == null ? null : value.toBigIntegerExact();
      }
      case DECIMAL -> rs.getBigDecimal(column);
      case STRING -> rs.getString(column);
      case UUID_KEY -> {
        Object value = rs.getObject(column);
        yield value == null || value instanceof UUID ? value : UUID.fromString(value.toString());
      }
      case UUID_BYTES -> {
        byte[] value = rs.getBytes(column);
        yield value == null ? null : uuid(value);
      }
    };
  }

  /** Coerces an application key (an entity id, a path variable) to this key's Java type. */
  public Object coerce(Object key) {
    if (key == null) {
      return null;
    }
    return switch (this) {
      case LONG ->
          key instanceof Long || key instanceof Integer || key instanceof Short
              ? ((Number) key).longValue()
              : decimal(key).longValueExact();
      case BIG_INTEGER -> key instanceof BigInteger ? key : decimal(key).toBigIntegerExact();
      case DECIMAL -> decimal(key);
      case STRING -> key.toString();
      case UUID_KEY, UUID_BYTES ->
          key instanceof UUID
              ? key
              : key instanceof byte[] bytes ? uuid(bytes) : UUID.fromString(key.toString());
    };
  }

  public void bind(PreparedStatement statement, int index, Object key) throws SQLException {
    Object value = coerce(key);
    switch (this) {
      case LONG -> statement.setLong(index, (Long) value);
      case BIG_INTEGER -> statement.setBigDecimal(index, new BigDecimal((BigInteger) value));
      case DECIMAL -> statement.setBigDecimal(index, (BigDecimal) value);
      case STRING -> statement.setString(index, (String) value);
      case UUID_KEY -> statement.setObject(index, value);
      case UUID_BYTES -> statement.setBytes(index, bytes((UUID) value));
    }
  }

  private static BigDecimal decimal(Object key) {
    return key instanceof BigDecimal decimal ? decimal : new BigDecimal(key.toString());
  }

  private static UUID uuid(byte[] bytes) {
    if (bytes.length != UUID_LENGTH) {
      throw new IllegalArgumentException(
          "a BINARY(16) key has 16 bytes, this one has " + bytes.length);
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new UUID(buffer.getLong(), buffer.getLong());
  }

  private static byte[] bytes(UUID uuid) {
    return ByteBuffer.allocate(UUID_LENGTH)
        .putLong(uuid.getMostSignificantBits())
        .putLong(uuid.getLeastSignificantBits())
        .array();
  }
}
