package dev.expandcontract.spring.diagnostics;

import dev.expandcontract.core.migration.InvalidMigrationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a start-up refused by migration validation into Spring Boot's "APPLICATION FAILED TO START"
 * report: what is wrong, one line per migration, and what to do.
 */
final class InvalidMigrationFailureAnalyzer
    extends AbstractFailureAnalyzer<InvalidMigrationException> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, InvalidMigrationException cause) {
    return new FailureAnalysis(
        "The expand-contract migrations do not match the database schema:\n\n" + cause.getMessage(),
        "Apply the expand migration (Flyway) before deploying a release that declares the"
            + " migration, fix the names in the declaration (a Migration bean or"
            + " expand-contract.migrations.<id> in configuration), or, once a migration is"
            + " CONTRACTED, remove its declaration in a later release.",
        cause);
  }
}
