package dev.expandcontract.core.phase;

/** A guard refused an action; the migration's state is unchanged. The message says why. */
public class TransitionRefusedException extends RuntimeException {

  private final String migrationId;
  private final String action;

  public TransitionRefusedException(String migrationId, String action, String reason) {
    super(reason);
    this.migrationId = migrationId;
    this.action = action;
  }

  public String migrationId() {
    return migrationId;
  }

  public String action() {
    return action;
  }
}
