package dev.expandcontract.core.sql;

/** How the copy and the verifier compare a new column with the value its transform gives. */
public enum ValueComparison {
  /** Numbers, dates and other non-text values: the database's null-safe equality. */
  VALUE,
  /** Text: the same characters, whatever the collation says about case, accents or spaces. */
  TEXT,
  /**
   * Fixed-width CHAR: the same characters up to trailing spaces, which the type pads (PostgreSQL)
   * or strips (MariaDB), so they are not part of the value on either database.
   */
  PADDED_TEXT
}
