package dev.expandcontract.core.backfill;

import dev.expandcontract.core.migration.BackfillSettings;
import java.time.Duration;

/**
 * Steers the batch size toward the target batch time: proportional to how far the last batch was
 * off, damped to at most doubling or halving per step, within the configured bounds.
 */
final class BatchSizer {

  private BatchSizer() {}

  static int next(BackfillSettings settings, int current, Duration took) {
    double target = settings.targetBatchTime().toNanos();
    double actual = Math.max(1, took.toNanos());
    double factor = Math.max(0.5, Math.min(2.0, target / actual));
    long next = Math.round(current * factor);
    return (int) Math.max(settings.minBatchSize(), Math.min(settings.maxBatchSize(), next));
  }
}
