package dev.expandcontract.core.phase;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The operator's actions, named as a request's {@code action} field and {@link
 * TransitionRefusedException#action()} name them.
 */
public enum MigrationAction {
  START_BACKFILL("start-backfill"),
  PAUSE("pause"),
  RESUME("resume"),
  VERIFY("verify"),
  READ_NEW("read-new"),
  STOP_OLD_WRITES("stop-old-writes"),
  CONTRACT("contract"),
  ROLLBACK("rollback"),
  RETRY_POISON("retry-poison"),
  COMPACT("compact"),
  REPAIR("repair"),
  TUNE("tune");

  private final String actionName;

  MigrationAction(String actionName) {
    this.actionName = actionName;
  }

  /** The name in requests, e.g. {@code start-backfill}. */
  public String actionName() {
    return actionName;
  }

  /** The action a request names, if any. */
  public static Optional<MigrationAction> named(String actionName) {
    return Arrays.stream(values()).filter(a -> a.actionName.equals(actionName)).findFirst();
  }

  /** Every action's name in requests. */
  public static List<String> actionNames() {
    return Arrays.stream(values()).map(MigrationAction::actionName).toList();
  }
}
