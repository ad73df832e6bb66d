package dev.expandcontract.core.sql;

import java.sql.Types;
import java.time.LocalDate;
import java.time.temporal.Temporal;
import java.util.Locale;
import java.util.UUID;

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

  /** An integer type of any width. */
  public boolean isInteger() {
    return switch (jdbcType) {
      case Types.BIGINT, Types.INTEGER, Types.SMALLINT, Types.TINYINT -> true;
      default -> false;
    };
  }

  /** A NUMERIC/DECIMAL, with or without declared precision and scale. */
  public boolean isDecimal() {
    return jdbcType == Types.NUMERIC || jdbcType == Types.DECIMAL;
  }

  /** A NUMERIC/DECIMAL that declares its precision and scale; unconstrained ones hold any. */
  public boolean hasFixedScale() {
    return isDecimal() && size > 0 && scale != null;
  }

  /**
   * True when a Java field of this type is what the column holds, as the driver returns it or as
   * the library converts it exactly; types the library does not know hold anything.
   */
  public boolean holds(Class<?> javaType) {
    Class<?> type = boxed(javaType);
    if (type == Object.class) {
      return true;
    }
    return switch (jdbcType) {
      case Types.CHAR,
          Types.NCHAR,
          Types.VARCHAR,
          Types.NVARCHAR,
          Types.LONGVARCHAR,
          Types.LONGNVARCHAR,
          Types.CLOB,
          Types.NCLOB ->
          type == String.class;
      case Types.BIGINT,
          Types.INTEGER,
          Types.SMALLINT,
          Types.TINYINT,
          Types.NUMERIC,
          Types.DECIMAL,
          Types.REAL,
          Types.FLOAT,
          Types.DOUBLE ->
          Number.class.isAssignableFrom(type);
      case Types.BIT, Types.BOOLEAN -> type == Boolean.class || Number.class.isAssignableFrom(type);
      case Types.DATE -> type == LocalDate.class || java.util.Date.class.isAssignableFrom(type);
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE ->
          Temporal.class.isAssignableFrom(type) || java.util.Date.class.isAssignableFrom(type);
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB ->
          type == byte[].class || (size == 16 && type == UUID.class);
      default ->
          isNamed("uuid")
              ? type == UUID.class
              : !isNamed("citext") && !isNamed("json") && !isNamed("jsonb") || type == String.class;
    };
  }

  private static Class<?> boxed(Class<?> type) {
    if (!type.isPrimitive()) {
      return type;
    }
    return switch (type.getName()) {
      case "boolean" -> Boolean.class;
      case "char" -> Character.class;
      default -> Number.class; // the numeric primitives
    };
  }

  boolean isUnsigned() {
    return typeName.toUpperCase(Locale.ROOT).contains("UNSIGNED");
  }

  boolean isNamed(String name) {
    return typeName.equalsIgnoreCase(name);
  }

  /** How a value of this type is compared: text character for character, whatever its collation. */
  public ValueComparison comparison() {
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

  /**
   * The type to cast a bound value to so that an expression sees it as this column holds it: with
   * its precision and scale for NUMERIC/DECIMAL (rounded like an assignment, an error on overflow),
   * without a length for text and binary types, since a cast to {@code varchar(n)} truncates
   * silently where the column would have refused the value.
   */
  String castType() {
    return hasFixedScale() ? declared() : typeName;
  }

  /** The type as a user declares it, for messages: {@code numeric(10,2)}, {@code BINARY(16)}. */
  public String declared() {
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
