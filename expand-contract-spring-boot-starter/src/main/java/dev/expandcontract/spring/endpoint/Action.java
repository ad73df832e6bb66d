package dev.expandcontract.spring.endpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The operator's actions, as named in a request's {@code action} field. */
public enum Action {
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
  REPAIR("repair");

  private final String value;

  Action(String value) {
    this.value = value;
  }

  /** The name in requests, e.g. {@code start-backfill}. */
  public String value() {
    return value;
  }

  static Optional<Action> of(String value) {
    return Arrays.stream(values()).filter(a -> a.value.equals(value)).findFirst();
  }

  static List<String> names() {
    return Arrays.stream(values()).map(Action::value).toList();
  }
}
