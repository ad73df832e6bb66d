package dev.expandcontract.core.migration;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * One new column and how it is computed from the old schema.
 *
 * @param oldColumn the old column holding the same attribute (read while reads come from old)
 * @param newColumn the new column being filled
 * @param transform SQL expression over the old table's columns that yields the new value
 * @param reverseTransform SQL expression over the new columns that yields the old value, if
 *     declared; needed to roll back once writes to the old schema stopped
 * @param javaTransform Java twin of {@code transform}, letting a dual write set old and new in one
 *     statement; empty means the write path runs {@code transform} in SQL instead
 * @param reverseJavaTransform Java twin of {@code reverseTransform}: the old value of a new-form
 *     value, for an application field typed for the new column; empty means {@code
 *     reverseTransform} runs in SQL instead
 */
public record ColumnMapping(
    String oldColumn,
    String newColumn,
    String transform,
    Optional<String> reverseTransform,
    Optional<UnaryOperator<Object>> javaTransform,
    Optional<UnaryOperator<Object>> reverseJavaTransform) {

  public ColumnMapping {
    Objects.requireNonNull(oldColumn, "oldColumn");
    Objects.requireNonNull(newColumn, "newColumn");
    transform = transform == null || transform.isBlank() ? oldColumn : transform.strip();
    reverseTransform = reverseTransform.filter(s -> !s.isBlank()).map(String::strip);
    // A plain copy needs no user-supplied twin: the value itself is the new value.
    if (javaTransform.isEmpty() && isIdentity(transform, oldColumn)) {
      javaTransform = Optional.of(UnaryOperator.identity());
    }
    if (reverseJavaTransform.isEmpty()
        && reverseTransform.filter(r -> isIdentity(r, newColumn)).isPresent()) {
      reverseJavaTransform = Optional.of(UnaryOperator.identity());
    }
  }

  /** A mapping of SQL transforms only (no Java twins), as configuration declares it. */
  public ColumnMapping(
      String oldColumn, String newColumn, String transform, Optional<String> reverseTransform) {
    this(oldColumn, newColumn, transform, reverseTransform, Optional.empty(), Optional.empty());
  }

  private static boolean isIdentity(String transform, String oldColumn) {
    return transform.equalsIgnoreCase(oldColumn);
  }
}
