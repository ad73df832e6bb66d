package dev.expandcontract.core;

/**
 * A write to a migrated entity refused because this instance may be acting on a state the fleet has
 * left: it has not seen the shared state for longer than the fleet allows, or it has left the
 * fleet. Nothing was written; the write may be retried once a refresh succeeds.
 */
public final class StaleStateException extends IllegalStateException {

  private final String migrationId;

  StaleStateException(String migrationId, String message) {
    super(message);
    this.migrationId = migrationId;
  }

  public String migrationId() {
    return migrationId;
  }
}
