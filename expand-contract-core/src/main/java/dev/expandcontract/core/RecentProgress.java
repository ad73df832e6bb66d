package dev.expandcontract.core;

import dev.expandcontract.core.event.BatchCompleted;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * This instance's view of one backfill's speed, from its recent batches rather than the average
 * since the start: the time between two batches counts only up to {@link #MAX_GAP_NANOS}, so a
 * pause (operator, throttle, an outage) does not drag the rate down or push the ETA out. It also
 * counts the rows this instance copied since it last adopted the shared state, so progress moves at
 * every batch instead of at the next refresh.
 */
final class RecentProgress {

  /** Batches the rate is computed over. */
  static final int WINDOW = 20;

  /** A longer gap between two batches is a pause: only this much of it counts. */
  static final long MAX_GAP_NANOS = 2_000_000_000L;

  private record Sample(long endMillis, long activeNanos, long rows) {}

  private final Deque<Sample> window = new ArrayDeque<>();
  private boolean reverse;
  private long rowsSinceAdopted;
  private long activeNanos;
  private long rows;

  /**
   * @param nowMillis when the batch committed, by the engine's clock
   */
  synchronized void batchCompleted(BatchCompleted batch, long nowMillis) {
    if (batch.reverse() != reverse) {
      reset(batch.reverse()); // a re-sync has figures of its own
    }
    long took = Math.max(1, batch.duration().toNanos());
    Sample previous = window.peekLast();
    // The time since the previous batch ended covers this batch and the pause before it; a
    // longer gap than MAX_GAP_NANOS (an operator's pause, a throttle, an outage) counts as that.
    long sincePrevious = previous == null ? took : (nowMillis - previous.endMillis()) * 1_000_000;
    long active = Math.max(took, Math.min(sincePrevious, took + MAX_GAP_NANOS));
    window.addLast(new Sample(nowMillis, active, batch.rows()));
    if (window.size() > WINDOW) {
      window.removeFirst();
    }
    rowsSinceAdopted += batch.rows();
    activeNanos += active;
    rows += batch.rows();
  }

  /** The shared state now includes this instance's batches so far. */
  synchronized void adopted() {
    rowsSinceAdopted = 0;
  }

  /** A new backfill (or a rollback) starts the figures again. */
  synchronized void reset(boolean reverse) {
    this.reverse = reverse;
    window.clear();
    rowsSinceAdopted = 0;
    activeNanos = 0;
    rows = 0;
  }

  /** Rows per second over the recent batches, or 0 when this instance copied none. */
  synchronized double rowsPerSecond() {
    long nanos = window.stream().mapToLong(Sample::activeNanos).sum();
    long copied = window.stream().mapToLong(Sample::rows).sum();
    return nanos == 0 ? 0 : copied * 1e9 / nanos;
  }

  /** Rows per second over the whole run, pauses excluded, or 0 when this instance copied none. */
  synchronized double meanRowsPerSecond() {
    return activeNanos == 0 ? 0 : rows * 1e9 / activeNanos;
  }

  synchronized long activeMillis() {
    return activeNanos / 1_000_000;
  }

  synchronized long rowsSinceAdopted() {
    return rowsSinceAdopted;
  }

  synchronized boolean reverse() {
    return reverse;
  }
}
