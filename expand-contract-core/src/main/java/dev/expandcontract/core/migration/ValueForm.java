package dev.expandcontract.core.migration;

/**
 * Which side of its mappings a value the application holds is on: an entity field typed for the old
 * column holds old values, one typed for the new column (a {@code BigDecimal} for a VARCHAR moving
 * to NUMERIC) holds new ones. The library computes the other side with the Java twin or the SQL
 * transform (old to new), or the reverse twin or the SQL reverse (new to old).
 */
public enum ValueForm {
  /** The old column's value; new values are computed from it. */
  OLD,
  /** The new column's value; old values, while they are still written, are computed from it. */
  NEW
}
