package dev.expandcontract.core.migration;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The backfill settings an operator may change while a migration runs (the {@code tune} action), by
 * the names of their properties, e.g. {@code target-batch-time=100ms}. The overrides are stored
 * with the migration's state, so every instance applies them from its next batch and a restart
 * keeps them.
 */
public final class BackfillTuning {

  private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m)");
  private static final List<String> NAMES = List.copyOf(values(BackfillSettings.DEFAULTS).keySet());

  private BackfillTuning() {}

  /** The names {@code tune} accepts. */
  public static List<String> names() {
    return NAMES;
  }

  /** The tunable settings' values, by name, as {@code tune} takes them (durations in ms). */
  public static Map<String, String> values(BackfillSettings s) {
    ThrottleSettings t = s.throttle();
    Map<String, String> values = new LinkedHashMap<>();
    values.put("min-batch-size", String.valueOf(s.minBatchSize()));
    values.put("max-batch-size", String.valueOf(s.maxBatchSize()));
    values.put("target-batch-time", millis(s.targetBatchTime()));
    values.put("pause-between-batches", millis(s.pauseBetweenBatches()));
    values.put("max-blocked-sessions", String.valueOf(t.maxBlockedSessions()));
    values.put("max-active-sessions", String.valueOf(t.maxActiveSessions()));
    values.put("max-commit-time", millis(t.maxCommitTime()));
    values.put("critical-active-sessions", String.valueOf(t.criticalActiveSessions()));
    values.put("throttled-pause", millis(t.throttledPause()));
    values.put("full-speed-batch-time", millis(t.fullSpeedBatchTime()));
    return values;
  }

  /**
   * The settings with stored overrides applied, as far as they still fit the declaration: an
   * override that a later release's declaration contradicts (a stored {@code max-batch-size} below
   * a newly declared minimum) is passed over rather than breaking every batch. Overrides are stored
   * only as {@link #apply} accepted them, so nothing else can be wrong with them.
   */
  public static BackfillSettings applyStored(BackfillSettings base, Map<String, String> stored) {
    try {
      return apply(base, stored);
    } catch (IllegalArgumentException contradicted) {
      BackfillSettings fitting = base;
      for (Map.Entry<String, String> override : stored.entrySet()) {
        try {
          fitting = apply(fitting, Map.of(override.getKey(), override.getValue()));
        } catch (IllegalArgumentException passedOver) {
          // contradicts the declaration (or an override kept before it): the declaration wins
        }
      }
      return fitting;
    }
  }

  /**
   * The settings with the overrides applied; the batch size in use moves inside new bounds.
   *
   * @throws IllegalArgumentException naming the setting that is unknown or malformed, or the
   *     settings that contradict each other
   */
  public static BackfillSettings apply(BackfillSettings base, Map<String, String> overrides) {
    Map<String, String> v = values(base);
    overrides.forEach(
        (name, value) -> {
          if (!v.containsKey(name)) {
            throw new IllegalArgumentException(
                "unknown backfill setting '" + name + "'; one of " + NAMES);
          }
          v.put(name, value == null ? "" : value.trim());
        });
    int min = integer(v, "min-batch-size");
    int max = integer(v, "max-batch-size");
    ThrottleSettings throttle =
        new ThrottleSettings(
            integer(v, "max-blocked-sessions"),
            integer(v, "max-active-sessions"),
            duration(v, "max-commit-time"),
            integer(v, "critical-active-sessions"),
            duration(v, "throttled-pause"),
            duration(v, "full-speed-batch-time"));
    return new BackfillSettings(
        Math.max(min, Math.min(max, base.batchSize())),
        min,
        max,
        duration(v, "target-batch-time"),
        duration(v, "pause-between-batches"),
        base.lockTimeout(),
        base.statementTimeout(),
        base.maxRetries(),
        base.retryBackoff(),
        throttle);
  }

  private static String millis(Duration duration) {
    return duration.toMillis() + "ms";
  }

  private static int integer(Map<String, String> values, String name) {
    String value = values.get(name);
    try {
      return Integer.parseInt(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number, was '" + value + "'");
    }
  }

  private static Duration duration(Map<String, String> values, String name) {
    String value = values.get(name);
    Matcher m = DURATION.matcher(value.toLowerCase(Locale.ROOT));
    if (m.matches()) {
      try {
        long amount = Long.parseLong(m.group(1));
        Duration parsed =
            switch (m.group(2)) {
              case "ms" -> Duration.ofMillis(amount);
              case "s" -> Duration.ofSeconds(amount);
              default -> Duration.ofMinutes(amount);
            };
        parsed.toMillis(); // as it is shown and stored
        return parsed;
      } catch (NumberFormatException | ArithmeticException e) {
        throw new IllegalArgumentException(name + " is too long, was '" + value + "'");
      }
    }
    try {
      return Duration.parse(value);
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new IllegalArgumentException(
          name + " must be a duration such as 100ms, 2s or PT0.5S, was '" + value + "'");
    }
  }
}
