package dev.expandcontract.core.ddl;

import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One DDL statement for one table, as a script wrote it, with the options its directive comment
 * gave ({@code -- expand-contract: executor=pt-osc copy=allowed}).
 *
 * @param table the table the statement changes, as written (unquoted); empty for DDL on no table
 * @param statement the statement without its directive comment and trailing {@code ;}
 * @param options the directive's {@code key=value} pairs; empty without a directive
 */
public record DdlChange(String table, String statement, Map<String, String> options) {

  public DdlChange {
    options = Map.copyOf(options);
  }

  /**
   * Parses the text Flyway hands to the database for one statement: leading comments (one may be
   * the directive), then the statement. Empty when the statement is not DDL on a table.
   */
  public static Optional<DdlChange> parse(String sql) {
    return DdlStatements.parse(sql);
  }

  /** The executor the directive names, if any. */
  public Optional<String> executor() {
    return Optional.ofNullable(options.get("executor"));
  }

  /** True when the directive allows a table-copying ALTER ({@code copy=allowed}). */
  public boolean copyAllowed() {
    return "allowed".equals(options.get("copy"));
  }

  /**
   * What follows {@code ALTER TABLE <table>}: the part online schema change tools take as their
   * {@code --alter}.
   *
   * @throws DdlRefusedException when the statement is not an {@code ALTER TABLE}
   */
  public String alterClause(String tool) {
    return DdlStatements.alterClause(statement)
        .orElseThrow(
            () ->
                new DdlRefusedException(
                    tool + " runs ALTER TABLE statements only, not: " + firstLine(), this));
  }

  /** The statement's first line, for messages. */
  public String firstLine() {
    String line = statement.lines().findFirst().orElse("");
    return line.length() > 120 ? line.substring(0, 117) + "..." : line;
  }

  boolean isAlterTable() {
    return statement.trim().toUpperCase(Locale.ROOT).startsWith("ALTER TABLE");
  }
}
