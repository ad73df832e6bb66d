package dev.expandcontract.core.phase;

/** The phases of DESIGN.md, in order. What each one allows is decided here and nowhere else. */
public enum Phase {
  EXPANDED,
  BACKFILLING,
  BACKFILLED,
  VERIFIED,
  READ_NEW,
  NEW_ONLY,
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

  /** New values are complete, so reads may be compared against them. */
  public boolean allowsShadowReads() {
    return this == BACKFILLED || this == VERIFIED;
  }
}
