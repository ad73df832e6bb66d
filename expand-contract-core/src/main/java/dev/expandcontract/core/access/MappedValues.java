package dev.expandcontract.core.access;

import dev.expandcontract.core.migration.ColumnMapping;
import dev.expandcontract.core.migration.Migration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A migration's values carried from one form to the other, in mapping order: through the Java
 * twins, or as the parameters an SQL transform computes them from.
 */
final class MappedValues {

  private final Migration migration;

  MappedValues(Migration migration) {
    this.migration = migration;
  }

  /**
   * Parameters of {@code MigrationSql.writeNewComputed}'s new values: a twin's result, or every old
   * value for the SQL transform to compute it from.
   */
  List<Object> newValueParams(List<?> values) {
    List<Object> params = new ArrayList<>();
    List<ColumnMapping> columns = migration.columns();
    for (int i = 0; i < columns.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).javaTransform();
      if (twin.isPresent()) {
        params.add(twin.get().apply(values.get(i)));
      } else {
        params.addAll(values);
      }
    }
    return params;
  }

  /** Parameters of {@code MigrationSql.updateOldComputed}'s old values, likewise in reverse. */
  List<Object> oldValueParams(List<?> values) {
    List<Object> params = new ArrayList<>();
    List<ColumnMapping> columns = migration.columns();
    for (int i = 0; i < columns.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).reverseJavaTransform();
      if (twin.isPresent()) {
        params.add(twin.get().apply(values.get(i)));
      } else if (columns.get(i).reverseTransform().isPresent()) {
        params.addAll(values);
      } else {
        throw new IllegalStateException(
            "migration '"
                + migration.id()
                + "' declares no reverse for old column '"
                + columns.get(i).oldColumn()
                + "': values of its new column cannot be written to the old one");
      }
    }
    return params;
  }

  /** New values from old ones through the Java twins; a value without a twin stays as it is. */
  List<Object> transformed(List<?> values) {
    List<ColumnMapping> columns = migration.columns();
    List<Object> result = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).javaTransform();
      result.add(twin.isPresent() ? twin.get().apply(values.get(i)) : values.get(i));
    }
    return result;
  }

  /** Old-form values in place of a new row's values, where a reverse Java twin is declared. */
  void reverseTwins(List<Object> values) {
    List<ColumnMapping> columns = migration.columns();
    for (int i = 0; i < columns.size(); i++) {
      Optional<UnaryOperator<Object>> twin = columns.get(i).reverseJavaTransform();
      if (twin.isPresent()) {
        values.set(i, twin.get().apply(values.get(i)));
      }
    }
  }
}
