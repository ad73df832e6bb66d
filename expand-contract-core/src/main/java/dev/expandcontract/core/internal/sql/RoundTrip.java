package dev.expandcontract.core.internal.sql;

import dev.expandcontract.core.sql.ColumnType;
import java.sql.Types;
import java.util.Optional;

/**
 * Whether every value a transform yields is stored unchanged by its new column. A numeric column
 * rounds what has more decimals than its scale, silently on PostgreSQL and MariaDB alike; the
 * verifier then compares the stored value with the transform's and reports the row as a mismatch
 * forever. Text that does not fit is no such case: the database refuses it (MariaDB in strict
 * mode), so the batch fails naming the value instead.
 */
final class RoundTrip {

  private RoundTrip() {}

  /** Why values of {@code result} change when stored in {@code column}, if they can. */
  static Optional<String> problem(
      ColumnType result, ColumnType column, String columnName, String transform) {
    if (!column.isInteger() && !column.hasFixedScale()) {
      return Optional.empty();
    }
    int scale = column.isInteger() ? 0 : column.scale();
    String yields;
    if (result.isInteger()) {
      return Optional.empty();
    } else if (result.hasFixedScale()) {
      if (result.scale() <= scale) {
        return Optional.empty();
      }
      yields = "numbers with " + result.scale() + " decimals";
    } else if (result.isDecimal()) {
      yields = "numbers of unbounded scale";
    } else {
      yields =
          switch (result.jdbcType()) {
            case Types.FLOAT, Types.REAL, Types.DOUBLE -> "floating-point numbers";
            case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR ->
                "text";
            default -> null;
          };
      if (yields == null) {
        return Optional.empty();
      }
    }
    return Optional.of(
        "('"
            + transform
            + "') yields "
            + yields
            + " ("
            + result.declared()
            + "), but '"
            + columnName
            + "' is "
            + column.declared()
            + ": the column rounds what it cannot hold, and the verifier would report every such"
            + " row as a mismatch; make the transform yield the column's type, e.g. CAST(("
            + transform
            + ") AS "
            + (column.isInteger() ? "an integer type" : column.declared())
            + ")");
  }
}
