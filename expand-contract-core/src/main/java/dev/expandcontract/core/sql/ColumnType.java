package dev.expandcontract.core.sql;

import java.sql.Types;
import java.util.Locale;

/**
 * A column's type as the database's metadata reports it ({@code DatabaseMetaData.getColumns}, or
 * {@code ResultSetMetaData} for an expression).
 *
 * @param jdbcType {@link java.sql.Types} constant
 * @param typeName the database's own name of the type, e.g. {@code numeric}, {@code BIGINT
 *     UNSIGNED}
 * @param size the declared length or precision; 0 when unconstrained (PostgreSQL {@code numeric})
 * @param scale digits after the decimal point; null when the database reports none
 */
public record ColumnType(int jdbcType, String typeName, int size, Integer scale) {

  boolean isInteger() {
    return switch (jdbcType) {
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> true;
      default -> false;
    };
  }

  boolean isDecimal() {
    return jdbcType == Types.NUMERIC || jdbcType == Types.DECIMAL;
  }

  /** A NUMERIC/DECIMAL that declares its precision and scale; unconstrained ones hold any. */
  boolean hasFixedScale() {
    return isDecimal() && size > 0 && scale != null;
  }

  boolean isUnsigned() {
    return typeName.toUpperCase(Locale.ROOT).contains("UNSIGNED");
  }

  boolean isNamed(String name) {
    return typeName.equalsIgnoreCase(name);
  }

  /** How a value of this type is compared: text character for character, whatever its collation. */
  ValueComparison comparison() {
    return switch (jdbcType) {
      case Types.CHAR, Types.NCHAR -> ValueComparison.PADDED_TEXT;
      case Types.VARCHAR,
          Types.NVARCHAR,
          Types.LONGVARCHAR,
          Types.LONGNVARCHAR,
          Types.CLOB,
          Types.NCLOB ->
          ValueComparison.TEXT;
      // PostgreSQL's case-insensitive text type, reported as OTHER.
      default -> isNamed("citext") ? ValueComparison.TEXT : ValueComparison.VALUE;
    };
  }

  /** The type as a user declares it, for messages: {@code numeric(10,2)}, {@code BINARY(16)}. */
  String declared() {
    if (hasFixedScale()) {
      return typeName + "(" + size + "," + scale + ")";
    }
    return switch (jdbcType) {
      case Types.CHAR, Types.NCHAR, Types.BINARY -> typeName + "(" + size + ")";
      case Types.VARCHAR, Types.NVARCHAR ->
          size < Integer.MAX_VALUE ? typeName + "(" + size + ")" : typeName;
      default -> typeName;
    };
  }
}
