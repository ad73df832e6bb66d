package dev.expandcontract.spring.event;

import org.springframework.context.ApplicationEvent;

/** An attempt of a backfill batch failed; it is retried, or the backfill pauses after the last. */
public final class BackfillBatchFailedEvent extends ApplicationEvent {

  private final String migrationId;
  private final int attempt;
  private final Throwable error;

  public BackfillBatchFailedEvent(Object source, String migrationId, int attempt, Throwable error) {
    super(source);
    this.migrationId = migrationId;
    this.attempt = attempt;
    this.error = error;
  }

  public String getMigrationId() {
    return migrationId;
  }

  public int getAttempt() {
    return attempt;
  }

  public Throwable getError() {
    return error;
  }
}
