package dev.expandcontract.core.migration;

/** A migration declaration that cannot work; the message names the migration and the culprit. */
public class InvalidMigrationException extends RuntimeException {

  public InvalidMigrationException(String message) {
    super(message);
  }

  public InvalidMigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
