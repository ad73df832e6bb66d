package dev.expandcontract.core.lint;

import dev.expandcontract.core.sql.DatabaseType;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One rule of {@code rules.txt}: statements it matches are findings, unless an exemption holds.
 *
 * @param id what an opt-out names
 * @param databases the dialects it applies to
 * @param match the statement that triggers it
 * @param unless when it also matches, the statement is fine
 * @param unlessEarlier when an earlier statement matches it ({column}, {table} filled in), fine
 * @param mapped whether only tables and columns a running release maps are findings
 * @param message what goes wrong
 * @param instead the safe alternative
 */
record LintRule(
    String id,
    Set<DatabaseType> databases,
    Pattern match,
    Optional<Pattern> unless,
    Optional<String> unlessEarlier,
    boolean mapped,
    String message,
    String instead) {}
