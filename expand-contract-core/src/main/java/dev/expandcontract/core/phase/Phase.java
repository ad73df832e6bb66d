package dev.expandcontract.core.phase;

/** The phases of DESIGN.md, in order. What each one allows is decided here and nowhere else. */
public enum Phase {
  EXPANDED,
  BACKFILLING,
  BACKFILLED,
  VERIFIED,
  READ_NEW,
  NEW_ONLY,
  /**
   * The contract DDL has begun (or stopped halfway): out of reach of rollback, since part of the
   * old schema may be gone; {@code contract} again resumes it.
   */
  CONTRACTING,
  CONTRACTED;

  /** Writes go to the old schema until reads are fleet-wide on the new one. */
  public boolean writesOld() {
    return compareTo(NEW_ONLY) < 0;
  }

  /** Some keys may read from the new schema (the ramp percentage picks which). */
  public boolean mayReadNew() {
    return compareTo(READ_NEW) >= 0;
  }

  /** The old schema is no longer written, so every read must come from the new one. */
  public boolean mustReadNew() {
    return compareTo(NEW_ONLY) >= 0;
  }

  /**
   * The old schema may no longer exist, so nothing may read, write or validate against it: the
   * migration is judged against the new schema alone.
   */
  public boolean oldSchemaMayBeGone() {
    return compareTo(CONTRACTING) >= 0;
  }

  /** New values are complete, so reads may be compared against them. */
  public boolean allowsShadowReads() {
    return this == BACKFILLED || this == VERIFIED;
  }
}
