package dev.expandcontract.spring.event;

import dev.expandcontract.core.phase.Phase;
import java.time.Instant;
import org.springframework.context.ApplicationEvent;

/**
 * A migration moved from one phase (or read percentage) to another, on this instance's action.
 * Published once per recorded transition, after it committed.
 */
public final class MigrationPhaseChangedEvent extends ApplicationEvent {

  private final String migrationId;
  private final Phase from;
  private final Phase to;
  private final int readPercent;
  private final Instant at;
  private final String actor;
  private final String reason;

  public MigrationPhaseChangedEvent(
      Object source,
      String migrationId,
      Phase from,
      Phase to,
      int readPercent,
      Instant at,
      String actor,
      String reason) {
    super(source);
    this.migrationId = migrationId;
    this.from = from;
    this.to = to;
    this.readPercent = readPercent;
    this.at = at;
    this.actor = actor;
    this.reason = reason;
  }

  public String getMigrationId() {
    return migrationId;
  }

  public Phase getFrom() {
    return from;
  }

  public Phase getTo() {
    return to;
  }

  public int getReadPercent() {
    return readPercent;
  }

  public Instant getAt() {
    return at;
  }

  public String getActor() {
    return actor;
  }

  public String getReason() {
    return reason;
  }
}
