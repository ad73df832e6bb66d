package dev.expandcontract.core.phase;

/** No migration with this id is declared. */
public class UnknownMigrationException extends RuntimeException {

  public UnknownMigrationException(String id) {
    super("unknown migration '" + id + "'");
  }
}
